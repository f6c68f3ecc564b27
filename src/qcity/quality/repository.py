"""Queries over the HACCP tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qcity.db.base import Base
from qcity.quality.models import (
    Ccp,
    CorrectiveAction,
    Deviation,
    MonitoringRecord,
    Verification,
)

T = TypeVar("T")


def add(session: Session, row: Base) -> None:
    """Insert ``row`` and flush, so that its id is known (no commit)."""
    session.add(row)
    session.flush()


def ccp(session: Session, ccp_id: int) -> Ccp | None:
    return session.get(Ccp, ccp_id)


def ccps(session: Session, uscc: str | None = None) -> Sequence[Ccp]:
    query = select(Ccp).order_by(Ccp.id)
    if uscc:
        query = query.where(Ccp.uscc == uscc)
    return session.scalars(query).all()


def records(
    session: Session,
    ccp_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> Sequence[MonitoringRecord]:
    """Monitoring records of a CCP in time order, optionally within ``[start, end]``."""
    query = _within(select(MonitoringRecord).where(MonitoringRecord.ccp_id == ccp_id), start, end)
    return session.scalars(query.order_by(MonitoringRecord.measured_at, MonitoringRecord.id)).all()


def deviation(session: Session, deviation_id: int) -> Deviation | None:
    return session.get(Deviation, deviation_id)


def deviation_for_record(session: Session, record_id: int) -> Deviation | None:
    return session.scalars(select(Deviation).where(Deviation.record_id == record_id)).first()


def deviations(
    session: Session,
    *,
    ccp_id: int | None = None,
    open_only: bool = False,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> Sequence[Deviation]:
    """Deviations in time order; ``open_only`` keeps those without a corrective action."""
    query = select(Deviation).join(Deviation.record)
    if ccp_id is not None:
        query = query.where(Deviation.ccp_id == ccp_id)
    if open_only:
        query = query.where(~Deviation.corrective_actions.any())
    query = _within(query, start, end)
    return session.scalars(query.order_by(MonitoringRecord.measured_at, Deviation.id)).all()


def _within(query: Select[T], start: dt.datetime | None, end: dt.datetime | None) -> Select[T]:
    if start is not None:
        query = query.where(MonitoringRecord.measured_at >= start)
    if end is not None:
        query = query.where(MonitoringRecord.measured_at <= end)
    return query


def corrective_actions(
    session: Session, deviation_id: int | None = None
) -> Sequence[CorrectiveAction]:
    query = select(CorrectiveAction).order_by(CorrectiveAction.id)
    if deviation_id is not None:
        query = query.where(CorrectiveAction.deviation_id == deviation_id)
    return session.scalars(query).all()


def verifications(session: Session, ccp_id: int | None = None) -> Sequence[Verification]:
    query = select(Verification).order_by(Verification.verified_at, Verification.id)
    if ccp_id is not None:
        query = query.where(Verification.ccp_id == ccp_id)
    return session.scalars(query).all()
