"""Audit logic: explicit records (bulk loads, unmasking, logins), browsing and verification.

ORM writes are recorded automatically by the session listener (``_listener``); call
:func:`record_bulk` for loads that bypass the ORM (COPY / executemany). Never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from qcity.audit import _chain, _listener, repository
from qcity.audit._chain import ChainVerdict
from qcity.audit.models import ACTIONS, AuditLog
from qcity.audit.repository import AuditFilter
from qcity.errors import InputError

Writable = Session | Connection


def _connection(target: Writable) -> Connection:
    return target.connection() if isinstance(target, Session) else target


def record(
    target: Writable,
    action: str,
    table: str,
    pk: object,
    *,
    before: Any = None,
    after: Any = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Append one audit row in ``target``'s transaction; returns its id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = _chain.Entry(actor or _listener.current_actor(), action, table, str(pk), before, after)
    return _chain.append(_connection(target), [entry], now or _listener.utcnow())


def record_bulk(target: Writable, table: str, count: int, source: str) -> int:
    """One audit row for a batch written around the ORM (COPY, executemany, raw SQL).

    Call it in the same transaction as the load, once per batch: ``table`` is the table
    written, ``count`` the rows, ``source`` where they came from (a file name, a generator).
    """
    return record(target, "bulk", table, "*", after={"count": count, "source": source})


def record_unmask(target: Writable, table: str, pk: object, field: str, purpose: str = "") -> int:
    """Who saw personal data in clear: the table, row and field (never the value itself)."""
    return record(target, "unmask", table, pk, after={"field": field, "purpose": purpose})


def verify(target: Writable) -> ChainVerdict:
    """Recompute the chain; ``broken_id`` names the first changed or missing row."""
    return _chain.verify(_connection(target))


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditLog]
    total: int
    offset: int
    limit: int
    actors: list[str]
    tables: list[str]


def browse(session: Session, where: AuditFilter, *, offset: int = 0, limit: int = 50) -> AuditPage:
    """One page of the log, newest first, with the choices for the filters."""
    if limit < 1 or limit > 500:
        raise InputError(f"limit {limit} is outside 1-500")
    if where.date_from and where.date_to and where.date_from > where.date_to:
        raise InputError("date_from is after date_to; swap them")
    rows, total = repository.page(session, where, offset=offset, limit=limit)
    return AuditPage(
        list(rows),
        total,
        offset,
        limit,
        repository.actors(session),
        repository.table_names(session),
    )
