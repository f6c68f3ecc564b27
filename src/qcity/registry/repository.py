"""Queries over the registry tables."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qcity.registry.models import Industry, MarketEntity, OrgUnit, OrgUnitLevel


def save_org_units(session: Session, units: Iterable[OrgUnit]) -> None:
    """Insert or update org units by code (idempotent)."""
    for unit in units:
        session.merge(unit)
    session.flush()


def save_industries(session: Session, industries: Iterable[Industry]) -> None:
    """Insert or update industries by code (idempotent); parents are saved first."""
    ordered = sorted(industries, key=lambda i: i.parent_code is not None)
    for industry in ordered:
        session.merge(industry)
    session.flush()


def towns(session: Session) -> Sequence[OrgUnit]:
    return session.scalars(
        select(OrgUnit).where(OrgUnit.level == OrgUnitLevel.TOWN).order_by(OrgUnit.code)
    ).all()


def city(session: Session) -> OrgUnit | None:
    return session.scalars(
        select(OrgUnit).where(OrgUnit.level == OrgUnitLevel.CITY).order_by(OrgUnit.code)
    ).first()


def industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.code)).all()


def entity_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MarketEntity)) or 0


def counts_by_town_and_industry(session: Session) -> list[tuple[str, str, int]]:
    """Entity counts per (town code, industry code), served by the composite index."""
    rows = session.execute(
        select(MarketEntity.town_code, MarketEntity.industry_code, func.count()).group_by(
            MarketEntity.town_code, MarketEntity.industry_code
        )
    ).all()
    return [(town, industry, count) for town, industry, count in rows]


def entities_page(
    session: Session,
    *,
    town_code: str | None,
    industry_code: str | None,
    name_contains: str | None,
    offset: int,
    limit: int,
    town_codes: Collection[str] | None = None,
    usccs: Collection[str] | None = None,
) -> tuple[Sequence[MarketEntity], int]:
    """One page of entities matching the filters, and the total count.

    ``town_codes`` / ``usccs`` (when not None) restrict the result to a user's scope.
    """
    query = select(MarketEntity)
    if town_codes is not None:
        query = query.where(MarketEntity.town_code.in_(sorted(town_codes)))
    if usccs is not None:
        query = query.where(MarketEntity.uscc.in_(sorted(usccs)))
    if town_code:
        query = query.where(MarketEntity.town_code == town_code)
    if industry_code:
        query = query.where(MarketEntity.industry_code == industry_code)
    if name_contains:
        query = query.where(MarketEntity.name.contains(name_contains, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(MarketEntity.id).offset(offset).limit(limit)).all()
    return rows, total


def entity_by_uscc(session: Session, uscc: str) -> MarketEntity | None:
    return session.scalars(select(MarketEntity).where(MarketEntity.uscc == uscc)).first()
