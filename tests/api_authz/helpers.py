"""API tokens for the authorisation tests and for the API tests of other packages.

``token_headers(engine, "alice", "enterprise", uscc=...)`` creates a user (with a fast Argon2
hasher) and one API token, and returns the ``Authorization`` header that carries it;
``authorise(client, engine)`` puts an admin's token on a test client.
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.accounts import _passwords
from qcity.accounts import service as accounts_service
from qcity.db import unit_of_work

PASSWORD = "api authz password 123"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def token_headers(
    engine: Engine,
    username: str,
    role: str,
    *,
    towns: Sequence[str] = (),
    uscc: str | None = None,
) -> dict[str, str]:
    """A new user with ``role`` (and scope) and the bearer header of its new API token."""
    previous = _passwords.set_hasher(FAST)
    try:
        with unit_of_work(engine) as session:
            user = accounts_service.create_user(
                session, username, role, PASSWORD, towns=towns, uscc=uscc
            )
            _token, clear = accounts_service.create_api_token(session, user.id, "tests")
    finally:
        _passwords.set_hasher(previous)
    return {"Authorization": f"Bearer {clear}"}


def authorise(client: TestClient, engine: Engine, username: str = "api-admin") -> TestClient:
    """``client`` sending an admin's API token with every request (returned for chaining)."""
    client.headers.update(token_headers(engine, username, "admin"))
    return client
