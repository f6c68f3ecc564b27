"""Queries over the inspection tables (and the registry lookups imports need)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from qcity.inspection.models import InspectionCategory, SamplingInspection, TestItemResult
from qcity.registry.models import OrgUnit, OrgUnitLevel

_IN_BATCH = 900


def save_categories(session: Session, categories: Iterable[InspectionCategory]) -> None:
    """Insert or update categories by code (idempotent); parents before children."""
    ordered = sorted(categories, key=lambda c: c.parent_code is not None)
    for category in ordered:
        session.merge(category)
    session.flush()


def categories(session: Session, domain: str | None = None) -> Sequence[InspectionCategory]:
    query = select(InspectionCategory).order_by(InspectionCategory.code)
    if domain:
        query = query.where(InspectionCategory.domain == domain)
    return session.scalars(query).all()


def towns(session: Session) -> Sequence[OrgUnit]:
    return session.scalars(
        select(OrgUnit).where(OrgUnit.level == OrgUnitLevel.TOWN).order_by(OrgUnit.code)
    ).all()


@dataclass(frozen=True)
class EntityRef:
    id: int
    uscc: str
    name: str
    town_code: str
    industry_code: str
    size_class: str


def _entity_refs(session: Session, column: str, values: Sequence[str]) -> list[EntityRef]:
    """Entities whose ``column`` (uscc or name) is one of ``values``.

    Imports look up thousands of values per chunk, so the values travel as one JSON array
    parameter on the driver (no per-value placeholders or array adaptation).
    """
    if column not in ("uscc", "name"):
        raise ValueError(f"cannot look entities up by {column!r}")
    select_list = "SELECT id, uscc, name, town_code, industry_code, size_class FROM market_entity"
    wanted = json.dumps(list(values), ensure_ascii=False)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    if session.get_bind().dialect.name == "postgresql":
        sql = f"{select_list} WHERE {column} IN (SELECT json_array_elements_text(%s::json))"
    else:
        sql = f"{select_list} WHERE {column} IN (SELECT value FROM json_each(?))"
    cursor = driver.cursor()
    try:
        cursor.execute(sql, (wanted,))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [EntityRef(r[0], r[1], r[2], r[3], r[4], str(r[5])) for r in rows]


def entities_by_uscc(session: Session, codes: Sequence[str]) -> dict[str, EntityRef]:
    return {ref.uscc: ref for ref in _entity_refs(session, "uscc", codes)}


def entities_by_name(session: Session, names: Sequence[str]) -> dict[str, EntityRef | None]:
    """Entities by exact name; a name shared by several entities maps to None (ambiguous)."""
    found: dict[str, EntityRef | None] = {}
    for ref in _entity_refs(session, "name", names):
        found[ref.name] = None if ref.name in found else ref
    return found


@dataclass(frozen=True)
class InspectionFilter:
    town_code: str | None = None
    category_code: str | None = None
    domain: str | None = None
    verdict: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    task_source: str | None = None
    text: str | None = None


def _filtered(query: Select[Any], f: InspectionFilter) -> Select[Any]:
    conditions = []
    if f.town_code:
        conditions.append(SamplingInspection.town_code == f.town_code)
    if f.category_code:
        children = select(InspectionCategory.code).where(
            InspectionCategory.parent_code == f.category_code
        )
        conditions.append(
            or_(
                SamplingInspection.category_code == f.category_code,
                SamplingInspection.category_code.in_(children),
            )
        )
    if f.domain:
        in_domain = select(InspectionCategory.code).where(InspectionCategory.domain == f.domain)
        conditions.append(SamplingInspection.category_code.in_(in_domain))
    if f.verdict:
        conditions.append(SamplingInspection.verdict == f.verdict)
    if f.date_from:
        conditions.append(SamplingInspection.sampling_date >= f.date_from)
    if f.date_to:
        conditions.append(SamplingInspection.sampling_date <= f.date_to)
    if f.task_source:
        conditions.append(SamplingInspection.task_source.contains(f.task_source, autoescape=True))
    if f.text:
        conditions.append(
            or_(
                SamplingInspection.product_name.contains(f.text, autoescape=True),
                SamplingInspection.sampled_unit_name.contains(f.text, autoescape=True),
                SamplingInspection.manufacturer_name.contains(f.text, autoescape=True),
            )
        )
    return query.where(and_(*conditions)) if conditions else query


def inspections_page(
    session: Session, f: InspectionFilter, *, offset: int, limit: int
) -> tuple[Sequence[SamplingInspection], int]:
    """One page of inspections (newest sampling first) and the total matching."""
    query = _filtered(select(SamplingInspection), f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(SamplingInspection.sampling_date.desc(), SamplingInspection.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return cast(Sequence[SamplingInspection], rows), total


def inspection(session: Session, inspection_id: int) -> SamplingInspection | None:
    return session.scalars(
        select(SamplingInspection)
        .where(SamplingInspection.id == inspection_id)
        .options(selectinload(SamplingInspection.items))
    ).first()


def failed_in_period(
    session: Session, start: dt.date, end: dt.date
) -> list[tuple[SamplingInspection, str, list[TestItemResult]]]:
    """Failed inspections sampled in [start, end], with their domain and failed items."""
    rows = session.execute(
        select(SamplingInspection, InspectionCategory.domain)
        .join(InspectionCategory, InspectionCategory.code == SamplingInspection.category_code)
        .where(
            SamplingInspection.verdict == "fail",
            SamplingInspection.sampling_date >= start,
            SamplingInspection.sampling_date <= end,
        )
        .order_by(SamplingInspection.sampling_date, SamplingInspection.id)
    ).all()
    ids = [r[0].id for r in rows]
    items: dict[int, list[TestItemResult]] = {}
    for begin in range(0, len(ids), _IN_BATCH):
        batch = ids[begin : begin + _IN_BATCH]
        for item in session.scalars(
            select(TestItemResult)
            .where(TestItemResult.inspection_id.in_(batch), TestItemResult.verdict == "fail")
            .order_by(TestItemResult.id)
        ):
            items.setdefault(item.inspection_id, []).append(item)
    return [(r[0], r[1], items.get(r[0].id, [])) for r in rows]


def inspection_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SamplingInspection)) or 0
