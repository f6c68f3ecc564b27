"""Queries over the audit log (reading only: rows are appended by ``_chain``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from qcity.audit.models import AuditLog

_S = TypeVar("_S", bound=Select[Any])


@dataclass(frozen=True)
class AuditFilter:
    """Filters for browsing; dates are inclusive, in UTC."""

    actor: str | None = None
    table_name: str | None = None
    action: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _filtered(query: _S, where: AuditFilter) -> _S:
    if where.actor:
        query = query.where(AuditLog.actor == where.actor)
    if where.table_name:
        query = query.where(AuditLog.table_name == where.table_name)
    if where.action:
        query = query.where(AuditLog.action == where.action)
    if where.date_from:
        start = dt.datetime.combine(where.date_from, dt.time(), tzinfo=dt.UTC)
        query = query.where(AuditLog.occurred_at >= start)
    if where.date_to:
        end = dt.datetime.combine(where.date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        query = query.where(AuditLog.occurred_at < end)
    return query


def page(
    session: Session, where: AuditFilter, *, offset: int, limit: int
) -> tuple[Sequence[AuditLog], int]:
    """Newest first: one page of rows matching ``where`` and the total count."""
    query = _filtered(select(AuditLog), where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditLog.id.desc()).offset(offset).limit(limit)).all()
    return rows, total


def actors(session: Session, limit: int = 200) -> list[str]:
    return list(
        session.scalars(
            select(AuditLog.actor).distinct().order_by(AuditLog.actor).limit(limit)
        ).all()
    )


def table_names(session: Session) -> list[str]:
    return list(
        session.scalars(select(AuditLog.table_name).distinct().order_by(AuditLog.table_name)).all()
    )
