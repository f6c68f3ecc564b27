"""Generic capture of ORM writes: a Session ``after_flush`` listener appends one audit row per
inserted, updated or deleted object, and ``do_orm_execute`` one row per ORM bulk statement.

The actor comes from a context variable: the web middleware sets ``user:<name>`` (or
``public``) per request; outside a request it is ``cli:<os user>``. Tables opt out with
``__table_args__ = {"info": {"audit": False}}`` and columns are redacted with
``mapped_column(..., info={"audit_redact": True})`` (password and token hashes).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import Column, Table, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, object_mapper
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.state import InstanceState
from sqlalchemy.sql.base import NO_ARG

from qcity.audit import _chain
from qcity.audit.models import AuditChainHead, AuditLog
from qcity.errors import QcityError

REDACTED = "[redacted]"
_PROTECTED = frozenset({AuditLog.__tablename__, AuditChainHead.__tablename__})
_actor: ContextVar[str | None] = ContextVar("qcity_audit_actor", default=None)
_installed = False


class AuditProtected(QcityError):
    """Something tried to change or delete audit rows through the ORM."""

    http_status = 403


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def current_actor() -> str:
    """Who is writing: set by the web request or CLI; ``cli:<os user>`` otherwise."""
    return _actor.get() or f"cli:{_os_user()}"


def set_actor(actor: str | None) -> Token[str | None]:
    """Set the actor for the current context (returns a token for ``reset_actor``)."""
    return _actor.set(actor)


def reset_actor(token: Token[str | None]) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute the writes inside the block to ``actor``."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _table_of(obj: object) -> Table | None:
    table = object_mapper(obj).local_table
    return table if isinstance(table, Table) else None


def _audited(table: Table | None) -> bool:
    return table is not None and table.info.get("audit", True) is not False


def _pk_text(values: Any) -> str:
    values = list(values or ())
    if len(values) == 1:
        return str(_chain.jsonable(values[0]))
    return json.dumps(_chain.jsonable(values), ensure_ascii=False, separators=(",", ":"))


def _columns(obj: object) -> Iterator[tuple[str, Column[Any]]]:
    for attr in object_mapper(obj).column_attrs:
        column = attr.columns[0]
        if isinstance(column, Column):
            yield attr.key, column


def _snapshot(state: InstanceState[Any], obj: object) -> dict[str, Any]:
    """The loaded column values of ``obj`` (redacted where asked), by column name."""
    values: dict[str, Any] = {}
    for key, column in _columns(obj):
        if key in state.dict:
            values[column.name] = REDACTED if column.info.get("audit_redact") else state.dict[key]
    return values


def _changes(state: InstanceState[Any], obj: object) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, column in _columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old is NO_ARG or new is NO_ARG:  # pragma: no cover - defensive
            continue
        redact = column.info.get("audit_redact")
        before[column.name] = REDACTED if redact else old
        after[column.name] = REDACTED if redact else new
    return before, after


def _refuse_protected(session: Session, _context: UOWTransaction, _instances: object) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = _table_of(obj)
        if table is not None and table.name in _PROTECTED:
            raise AuditProtected(
                f"{table.name} is append-only and written by qcity.audit only; "
                "audit rows cannot be added, changed or deleted through the ORM"
            )


def _record_flush(session: Session, _context: UOWTransaction) -> None:
    actor = current_actor()
    entries: list[_chain.Entry] = []
    for obj in session.new:
        table = _table_of(obj)
        if not _audited(table):
            continue
        assert table is not None
        state = instance_state(obj)
        pk = object_mapper(obj).primary_key_from_instance(obj)
        entries.append(
            _chain.Entry(actor, "insert", table.name, _pk_text(pk), None, _snapshot(state, obj))
        )
    for obj in session.dirty:
        table = _table_of(obj)
        if not _audited(table) or not session.is_modified(obj, include_collections=False):
            continue
        assert table is not None
        state = instance_state(obj)
        before, after = _changes(state, obj)
        if not before and not after:
            continue
        entries.append(
            _chain.Entry(actor, "update", table.name, _pk_text(state.identity), before, after)
        )
    for obj in session.deleted:
        table = _table_of(obj)
        if not _audited(table):
            continue
        assert table is not None
        state = instance_state(obj)
        entries.append(
            _chain.Entry(
                actor, "delete", table.name, _pk_text(state.identity), _snapshot(state, obj)
            )
        )
    if entries:
        _chain.append(session.connection(), entries, utcnow())


def _record_bulk_statement(orm_state: ORMExecuteState) -> Any:
    if not (orm_state.is_insert or orm_state.is_update or orm_state.is_delete):
        return None
    mapper = orm_state.bind_mapper
    table = mapper.local_table if mapper is not None else None
    if not isinstance(table, Table):
        return None
    if table.name in _PROTECTED:
        raise AuditProtected(
            f"{table.name} is append-only and written by qcity.audit only; "
            "ORM bulk statements on it are refused"
        )
    if not _audited(table):
        return None
    result = orm_state.invoke_statement()
    params = orm_state.parameters
    if isinstance(params, list | tuple):
        count = len(params)
    else:
        count = int(getattr(result, "rowcount", -1) or 0)
    operation = "insert" if orm_state.is_insert else "update" if orm_state.is_update else "delete"
    entry = _chain.Entry(
        current_actor(),
        "bulk",
        table.name,
        "*",
        None,
        {"count": count, "operation": operation, "source": "orm bulk statement"},
    )
    _chain.append(orm_state.session.connection(), [entry], utcnow())
    return result


def install() -> None:
    """Listen on every :class:`Session` of the process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _refuse_protected)
    event.listen(Session, "after_flush", _record_flush)
    event.listen(Session, "do_orm_execute", _record_bulk_statement)
    _installed = True
