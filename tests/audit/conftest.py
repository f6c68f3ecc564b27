"""Fast Argon2 parameters for the suite (the production defaults are tested separately)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from qcity.accounts import _passwords

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hasher() -> Iterator[PasswordHasher]:
    previous = _passwords.set_hasher(FAST)
    yield FAST
    _passwords.set_hasher(previous)
