"""The audit trail: generic capture of ORM writes, the hash chain, tamper detection (raw SQL
on both databases), append-only protection, bulk records and ``qcity audit verify``."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import typer
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from qcity import audit
from qcity._cli_support import QcityGroup
from qcity.accounts import service
from qcity.accounts.models import User
from qcity.audit._chain import row_hash
from qcity.audit.cli import app as audit_app
from qcity.audit.models import AuditChainHead, AuditLog
from qcity.db import unit_of_work
from qcity.registry.models import OrgUnit
from qcity.settings import get_settings
from tests.accounts.helpers import PASSWORD

runner = CliRunner()
qcity = typer.Typer(cls=QcityGroup)
qcity.add_typer(audit_app, name="audit")


def _town(code: str, name: str = "测试镇") -> OrgUnit:
    return OrgUnit(
        code=code, level=2, kind="town", name_zh_hans=name, name_zh_hant=name, name_en="Test"
    )


def _log(engine: Engine) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditLog).order_by(AuditLog.id)))


def _write_some(engine: Engine) -> None:
    with audit.acting_as("user:alice"), unit_of_work(engine) as session:
        session.add_all([_town("441900901000"), _town("441900902000")])
    with audit.acting_as("user:bob"), unit_of_work(engine) as session:
        town = session.get(OrgUnit, "441900901000")
        assert town is not None
        town.name_en = "Renamed"
    with unit_of_work(engine) as session:
        town = session.get(OrgUnit, "441900902000")
        session.delete(town)


def test_orm_writes_are_captured_with_actor_and_values(engine: Engine) -> None:
    _write_some(engine)
    rows = _log(engine)
    assert [(r.id, r.action, r.table_name, r.row_pk) for r in rows] == [
        (1, "insert", "org_unit", "441900901000"),
        (2, "insert", "org_unit", "441900902000"),
        (3, "update", "org_unit", "441900901000"),
        (4, "delete", "org_unit", "441900902000"),
    ]
    assert rows[0].actor == rows[1].actor == "user:alice" and rows[2].actor == "user:bob"
    assert rows[3].actor.startswith("cli:")
    assert rows[0].before is None and rows[0].after["name_zh_hans"] == "测试镇"
    assert rows[2].before == {"name_en": "Test"} and rows[2].after == {"name_en": "Renamed"}
    assert rows[3].before["code"] == "441900902000" and rows[3].after is None
    assert rows[0].prev_hash == "0" * 64 and rows[1].prev_hash == rows[0].hash
    with unit_of_work(engine) as session:
        verdict = audit.verify(session)
    assert verdict.ok and verdict.rows == 4


def test_secrets_are_redacted_and_sessions_not_logged(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        service.create_user(session, "alice", "analyst", PASSWORD)
    with unit_of_work(engine) as session:
        service.set_password(session, "alice", "another password")
    rows = _log(engine)
    assert [r.action for r in rows] == ["insert", "update"]
    assert rows[0].after["password_hash"] == "[redacted]"
    assert rows[1].before["password_hash"] == rows[1].after["password_hash"] == "[redacted]"
    assert "$argon2" not in str([r.after for r in rows])


def test_verify_detects_an_update_made_with_raw_sql(engine: Engine) -> None:
    _write_some(engine)
    _tamper(engine, "UPDATE audit_log SET actor = 'user:mallory' WHERE id = 2")
    with unit_of_work(engine) as session:
        verdict = audit.verify(session)
    assert not verdict.ok and verdict.broken_id == 2 and "content changed" in (verdict.reason or "")


def test_verify_detects_a_deleted_row(engine: Engine) -> None:
    _write_some(engine)
    _tamper(engine, "DELETE FROM audit_log WHERE id = 2")
    with unit_of_work(engine) as session:
        verdict = audit.verify(session)
    assert not verdict.ok and verdict.broken_id == 3 and "deleted" in (verdict.reason or "")


def test_verify_detects_rows_deleted_at_the_end(engine: Engine) -> None:
    _write_some(engine)
    _tamper(engine, "DELETE FROM audit_log WHERE id = 4")
    with unit_of_work(engine) as session:
        verdict = audit.verify(session)
    assert not verdict.ok and verdict.broken_id == 4


def test_verify_detects_a_row_rewritten_with_a_fresh_hash(engine: Engine) -> None:
    _write_some(engine)
    row = _log(engine)[2]
    forged = row_hash(
        id=row.id,
        occurred_at=row.occurred_at,
        actor="user:mallory",
        action=row.action,
        table_name=row.table_name,
        row_pk=row.row_pk,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
    )
    _tamper(engine, f"UPDATE audit_log SET actor = 'user:mallory', hash = '{forged}' WHERE id = 3")
    with unit_of_work(engine) as session:
        verdict = audit.verify(session)
    assert not verdict.ok and verdict.broken_id == 4  # the next row's link no longer matches


def _tamper(engine: Engine, statement: str) -> None:
    """Change the log behind qcity's back, as a database superuser could."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        connection.execute(text(statement))


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_the_database_refuses_changes_to_the_log(engine: Engine, statement: str) -> None:
    _write_some(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    assert len(_log(engine)) == 4


def _change_row(session: Session) -> None:
    row = session.get(AuditLog, 1)
    assert row is not None
    row.actor = "user:mallory"
    session.flush()


def _delete_row(session: Session) -> None:
    session.delete(session.get(AuditLog, 1))
    session.flush()


def _bulk_delete(session: Session) -> None:
    session.execute(delete(AuditLog))


def _move_head(session: Session) -> None:
    session.execute(update(AuditChainHead).values(last_id=0))


@pytest.mark.parametrize("attempt", [_change_row, _delete_row, _bulk_delete, _move_head])
def test_the_orm_refuses_changes_to_the_log(engine: Engine, attempt: object) -> None:
    _write_some(engine)
    session = Session(engine)
    try:
        with pytest.raises(audit.AuditProtected):
            attempt(session)  # type: ignore[operator]
    finally:
        session.rollback()
        session.close()
    with unit_of_work(engine) as check:
        assert audit.verify(check).ok


def test_bulk_loads_log_one_row_per_batch(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        session.execute(
            text(
                "INSERT INTO org_unit (code, level, kind, name_zh_hans, name_zh_hant, name_en)"
                " VALUES ('441900903000', 2, 'town', 'a', 'a', 'a')"
            )
        )
        audit.record_bulk(session, "org_unit", 1, "tests: raw insert")
        session.execute(update(OrgUnit).values(name_en="b"))  # ORM bulk statement
    rows = _log(engine)
    assert [(r.action, r.table_name, r.row_pk) for r in rows] == [
        ("bulk", "org_unit", "*"),
        ("bulk", "org_unit", "*"),
    ]
    assert rows[0].after == {"count": 1, "source": "tests: raw insert"}
    assert rows[1].after == {"count": 1, "operation": "update", "source": "orm bulk statement"}


def test_rolled_back_writes_leave_no_audit_rows(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(_town("441900904000"))
        session.flush()
        assert len(session.scalars(select(AuditLog)).all()) == 1
        session.rollback()
    assert _log(engine) == []
    with unit_of_work(engine) as session:
        assert audit.verify(session).ok


def test_concurrent_writers_keep_one_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                with audit.acting_as(f"user:w{n}"), unit_of_work(engine) as session:
                    session.add(_town(f"4419009{n}{i:02d}000"[:12]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = _log(engine)
    assert [r.id for r in rows] == list(range(1, 21))
    with unit_of_work(engine) as session:
        assert audit.verify(session).ok


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[None]:
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_verify_exit_status(configured: None, engine: Engine) -> None:
    _write_some(engine)
    ok = runner.invoke(qcity, ["audit", "verify"])
    assert ok.exit_code == 0 and ok.output.startswith("audit chain intact: 4 rows")
    _tamper(engine, "UPDATE audit_log SET after = NULL WHERE id = 1")
    broken = runner.invoke(qcity, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "audit chain broken at row 1" in broken.output


def test_users_created_are_audited_with_no_user_table_leak(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        service.create_user(session, "alice", "analyst", PASSWORD)
    with Session(engine) as session:
        user = session.scalars(select(User)).one()
    row = _log(engine)[0]
    assert row.table_name == "app_user" and row.row_pk == str(user.id)
