"""Engines for SQLite (embedded default, WAL) and PostgreSQL (production), chosen by URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from qcity.errors import ConfigurationError

_EXAMPLES = "sqlite:///var/qcity.sqlite3 or postgresql://user:password@host:5432/qcity"


def parse_database_url(raw: str) -> URL:
    """Parse and normalise ``QCITY_DATABASE_URL``; refuse anything but SQLite and PostgreSQL.

    ``postgresql://`` and ``postgres://`` are mapped to the psycopg 3 driver.
    """
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise ConfigurationError(
            f"QCITY_DATABASE_URL {raw!r} is not a database URL; use {_EXAMPLES}"
        ) from exc
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        if not url.host and "host" not in url.query:
            raise ConfigurationError(
                f"QCITY_DATABASE_URL {database_label(url)!r} names no host; use {_EXAMPLES}"
            )
        return url
    if backend == "sqlite":
        if not url.database:
            raise ConfigurationError(
                "QCITY_DATABASE_URL names an in-memory SQLite database; qcity needs a file, "
                f"e.g. {_EXAMPLES}"
            )
        return url
    raise ConfigurationError(
        f"QCITY_DATABASE_URL uses {url.drivername!r}; qcity supports SQLite and PostgreSQL: "
        f"{_EXAMPLES}"
    )


def database_label(url: URL | str) -> str:
    """The URL with its password hidden, for messages and logs."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (ArgumentError, ValueError):
            return "<malformed URL>"
    return url.render_as_string(hide_password=True)


def make_engine(raw_url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = parse_database_url(raw_url) if isinstance(raw_url, str) else raw_url
    if "poolclass" not in kwargs:
        # A server process's threads (QCITY_WEB_THREADS) and session lookups share the pool;
        # connections past its size are opened and closed per use (SQLite's with pragmas).
        kwargs = {"pool_size": 20, "max_overflow": 20, **kwargs}
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 5, "application_name": "qcity"}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
