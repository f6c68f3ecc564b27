"""Alembic, driven from code: ``qcity db upgrade`` and the schema checks run before serving."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from qcity.db.engine import database_label
from qcity.errors import DatabaseBehind, DatabaseUnreachable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s",
    )
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest migration this code knows (read once: the scripts ship with the code)."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection, or :class:`DatabaseUnreachable` with one line saying why and what to do."""
    try:
        connection = engine.connect()
    except (OperationalError, DBAPIError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnreachable(
            f"cannot reach the database {database_label(engine.url)}: {reason}; "
            "start the database server or correct QCITY_DATABASE_URL"
        ) from exc
    with connection:
        yield connection


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has no qcity schema yet."""
    with connect(engine) as connection:
        # A plain query: building Alembic's MigrationContext costs more than /health itself.
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:
            connection.rollback()
            if not inspect(connection).has_table("alembic_version"):
                return None
            return MigrationContext.configure(connection).get_current_revision()
        if len(rows) > 1:  # branches: let Alembic say what is wrong
            return MigrationContext.configure(connection).get_current_revision()
        return str(rows[0][0]) if rows else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    with connect(engine) as connection, connection.begin():
        command.upgrade(_config(connection), revision)


@dataclass(frozen=True)
class SchemaStatus:
    reachable: bool
    revision: str | None
    head: str
    error: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.revision == self.head


def schema_status(engine: Engine) -> SchemaStatus:
    """Reachability and migration state, never raising (for ``/health``)."""
    head = head_revision()
    try:
        revision = current_revision(engine)
    except DatabaseUnreachable as exc:
        return SchemaStatus(reachable=False, revision=None, head=head, error=str(exc))
    return SchemaStatus(reachable=True, revision=revision, head=head)


def check_schema_current(engine: Engine) -> None:
    """Raise a one-line error unless the database is reachable and at the migration head."""
    head = head_revision()
    revision = current_revision(engine)
    if revision == head:
        return
    label = database_label(engine.url)
    if revision is None:
        raise DatabaseBehind(
            f"the database {label} has no qcity schema yet; run `qcity db upgrade`"
        )
    raise DatabaseBehind(
        f"the database {label} is at migration {revision} but this qcity needs {head}; "
        "run `qcity db upgrade`"
    )
