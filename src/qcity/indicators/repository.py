"""Queries over the indicator tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qcity.indicators.models import Indicator, IndicatorValue
from qcity.registry.models import OrgUnit


def indicators(session: Session) -> Sequence[Indicator]:
    """Computed indicators first, then by id."""
    computed_first = case((Indicator.kind == "pass_rate", 0), else_=1)
    return session.scalars(select(Indicator).order_by(computed_first, Indicator.id)).all()


def indicator(session: Session, indicator_id: str) -> Indicator | None:
    return session.get(Indicator, indicator_id)


def town_exists(session: Session, code: str) -> bool:
    return session.get(OrgUnit, code) is not None


def values(session: Session, indicator_id: str, town_code: str | None) -> Sequence[IndicatorValue]:
    """Every report for the indicator and town (None: city-wide), newest report first."""
    town = (
        IndicatorValue.town_code.is_(None)
        if town_code is None
        else IndicatorValue.town_code == town_code
    )
    return session.scalars(
        select(IndicatorValue)
        .where(IndicatorValue.indicator_id == indicator_id, town)
        .order_by(IndicatorValue.reported_at.desc(), IndicatorValue.id.desc())
    ).all()


def values_page(
    session: Session, indicator_id: str, offset: int, limit: int
) -> tuple[Sequence[IndicatorValue], int]:
    query = select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(IndicatorValue.reported_at.desc(), IndicatorValue.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, total


def add_value(session: Session, value: IndicatorValue) -> IndicatorValue:
    session.add(value)
    session.flush()
    return value


def save_indicator(session: Session, item: Indicator) -> None:
    session.merge(item)
    session.flush()
