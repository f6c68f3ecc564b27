"""Fixtures shared by the whole suite: fresh migrated databases on SQLite and PostgreSQL.

``make test`` (or plain pytest) starts one throwaway PostgreSQL server per test session and
stops it at the end, also when tests fail. Set QCITY_TEST_POSTGRES_URL to use a running server
instead (a superuser URL; each test creates and drops its own database).
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from qcity.db import make_engine, upgrade
from tests.pgserver import PostgresServer

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    configured = os.environ.get("QCITY_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    server = PostgresServer()
    atexit.register(server.stop)
    try:
        yield server.start()
    finally:
        server.stop()


def _admin_execute(admin_url: str, *statements: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _database_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> str:
    """A database migrated to head, cloned by every PostgreSQL test."""
    name = f"qcity_template_{os.getpid()}"
    _admin_execute(postgres_admin_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    engine = make_engine(_database_url(postgres_admin_url, name))
    upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "qcity.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database at the migration head, on each backend in turn."""
    if db_backend == "sqlite":
        path = tmp_path / "qcity.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    template = request.getfixturevalue("postgres_template")
    name = f"qcity_test_{os.getpid()}_{next(_counter)}"
    _admin_execute(admin, f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _database_url(admin, name)
    _admin_execute(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def empty_db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no migrations applied), on each backend in turn."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    name = f"qcity_empty_{os.getpid()}_{next(_counter)}"
    _admin_execute(admin, f"CREATE DATABASE {name}")
    yield _database_url(admin, name)
    _admin_execute(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


REFERENCE = Path(__file__).parent / "fixtures"
