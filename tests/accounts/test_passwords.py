"""Argon2id hashing, rehash detection and the password rule (no database)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from qcity.accounts import _passwords
from qcity.errors import InputError


def test_default_hasher_is_argon2id_with_rfc9106_parameters() -> None:
    hasher = PasswordHasher()
    digest = hasher.hash("a long enough password")
    assert digest.startswith("$argon2id$")
    assert hasher.verify(digest, "a long enough password")


def test_hash_verify_and_reject(fast_hasher: PasswordHasher) -> None:
    digest = _passwords.hash_password("a long enough password")
    assert digest.startswith("$argon2id$")
    assert _passwords.verify_password(digest, "a long enough password")
    assert not _passwords.verify_password(digest, "a wrong password")
    assert not _passwords.verify_password("not a hash", "a long enough password")


def test_hash_with_old_parameters_needs_rehash(fast_hasher: PasswordHasher) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash("pw-1234567890")
    assert _passwords.needs_rehash(old)
    assert not _passwords.needs_rehash(_passwords.hash_password("pw-1234567890"))
    assert _passwords.verify_password(old, "pw-1234567890")  # old hashes still verify


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "too short"), ("x" * 300, "too long"), ("Alice12345", "user name")],
)
def test_password_rule(password: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _passwords.check_password_rule(password, "alice12345")
