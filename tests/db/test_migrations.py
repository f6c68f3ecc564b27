"""Migrations: upgrade from empty, schema checks, and models matching the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import qcity.models  # noqa: F401
from qcity.db import (
    Base,
    check_schema_current,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from qcity.db.migrations import schema_status
from qcity.errors import DatabaseBehind


def test_upgrade_from_empty_reaches_head_and_creates_tables(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"org_unit", "industry", "market_entity"} <= set(inspect(engine).get_table_names())
    upgrade(engine)  # a second run is a no-op
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_empty_database_is_refused_with_the_command_to_run(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with pytest.raises(DatabaseBehind, match=r"no qcity schema yet; run `qcity db upgrade`"):
        check_schema_current(engine)
    assert not schema_status(engine).up_to_date
    engine.dispose()


def test_models_match_migrations(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_sqlite_uses_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
