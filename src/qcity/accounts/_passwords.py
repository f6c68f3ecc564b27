"""Argon2id password hashes (argon2-cffi), the password rule, and constant-time failures."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from qcity.errors import InputError

MIN_LENGTH = 10
MAX_LENGTH = 256
_hasher: PasswordHasher = PasswordHasher()  # Argon2id with argon2-cffi's (RFC 9106) defaults


def hasher() -> PasswordHasher:
    """The hasher new hashes are made with (tests swap it to prove rehashing)."""
    return _hasher


def set_hasher(new: PasswordHasher) -> PasswordHasher:
    """Replace the hasher; returns the previous one."""
    global _hasher
    previous, _hasher = _hasher, new
    _dummy_hash.cache_clear()
    return previous


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; malformed hashes simply fail."""
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current hasher's."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


def burn_verification(password: str) -> None:
    """Spend the time of one verification, for unknown or disabled users (no timing oracle)."""
    verify_password(_dummy_hash(), password)


def check_password_rule(password: str, username: str) -> None:
    """Refuse passwords that are too short, too long or the user name itself."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"the password is too short: use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InputError(f"the password is too long: use at most {MAX_LENGTH} characters")
    if password.strip().lower() == username.strip().lower():
        raise InputError("the password must not be the user name")


def random_password() -> str:
    """A random password for generated accounts (about 96 bits)."""
    return secrets.token_urlsafe(12)
