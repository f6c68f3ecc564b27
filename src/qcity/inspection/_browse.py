"""Browsing inspections: filters, the caller's scope, keyset pages, detail and exports.

Scope (checked in every query, so an object outside it is simply not found):

- users holding ``view_all_entities`` (analysts, admins) see every inspection;
- inspectors see the inspections sampled in their towns;
- enterprise users see the inspections that concern their credit code: those where their
  entity is the **sampled unit** (被抽样单位) and those where it is the **nominal
  manufacturer** (标称生产企业, ``manufacturer_uscc``): both are results about them;
- everyone else sees none.

Pages are keyset-paginated on (sampling date, id), newest first, so a page costs the same
wherever it is; totals are counted up to :data:`COUNT_CAP`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from qcity.accounts._authz import VIEW_ALL, Principal, has_permission
from qcity.accounts.models import Role
from qcity.analytics.periods import Period
from qcity.errors import InputError
from qcity.inspection._publish import scrub
from qcity.inspection.models import InspectionCategory, SamplingInspection, TestItemResult
from qcity.privacy import mask_name
from qcity.registry.models import MarketEntity

PAGE_SIZE = 50
COUNT_CAP = 10_000
EXPORT_LIMIT = 100_000
_IN_BATCH = 900
# What a browser row shows: loading these columns, not whole records, halves a page's cost.
ROW_COLUMNS = (
    SamplingInspection.id, SamplingInspection.sampling_date, SamplingInspection.town_code,
    SamplingInspection.category_code, SamplingInspection.product_name,
    SamplingInspection.sampled_unit_name, SamplingInspection.manufacturer_name,
    SamplingInspection.report_no, SamplingInspection.verdict,
)  # fmt: skip


class BrowseRow(NamedTuple):
    """One inspection as the browser lists it (a plain tuple: templates read its fields
    many times, and a database row's attribute lookup is ten times slower)."""

    id: int
    sampling_date: dt.date
    town_code: str
    category_code: str
    product_name: str
    sampled_unit_name: str
    manufacturer_name: str | None
    report_no: str | None
    verdict: str


_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{1,18})$")


@dataclass(frozen=True)
class Scope:
    """Which inspections a user may see: ``towns`` (None: all), or one credit code."""

    towns: frozenset[str] | None = None
    uscc: str | None = None
    nothing: bool = False


def scope_of(user: Principal) -> Scope:
    """The inspections ``user`` may see (see the module docstring)."""
    if has_permission(user, VIEW_ALL):
        return Scope()
    if user.role == Role.INSPECTOR:
        return Scope(towns=user.towns, nothing=not user.towns)
    if user.role == Role.ENTERPRISE and user.uscc:
        return Scope(uscc=user.uscc)
    return Scope(nothing=True)


@dataclass(frozen=True)
class BrowseFilter:
    """The browser's filters; empty values do not restrict."""

    period: Period | None = None
    town: str | None = None
    category: str | None = None
    domain: str | None = None
    verdict: str | None = None
    task_source: str | None = None
    text: str | None = None
    unit: str | None = None  # the sampled unit's credit code

    @classmethod
    def parse(cls, **raw: str | None) -> BrowseFilter:
        """Filters from query parameters; a bad value is a one-line :class:`InputError`."""
        values = {k: (v or "").strip() or None for k, v in raw.items()}
        verdict = values.get("verdict")
        if verdict not in (None, "pass", "fail"):
            raise InputError(f"verdict {verdict!r} is not pass or fail")
        period = values.pop("period", None)
        return cls(period=Period.parse(period) if period else None, **values)


def _where(f: BrowseFilter, scope: Scope) -> list[Any]:
    si = SamplingInspection
    conditions: list[Any] = []
    if scope.nothing:
        return [false()]
    if scope.towns is not None:
        conditions.append(si.town_code.in_(sorted(scope.towns)))
    if scope.uscc is not None:
        own = select(MarketEntity.id).where(MarketEntity.uscc == scope.uscc).scalar_subquery()
        conditions.append(or_(si.sampled_entity_id == own, si.manufacturer_uscc == scope.uscc))
    if f.period is not None:
        conditions += [si.sampling_date >= f.period.start, si.sampling_date <= f.period.end]
    if f.town:
        conditions.append(si.town_code == f.town)
    if f.category:
        children = select(InspectionCategory.code).where(
            InspectionCategory.parent_code == f.category
        )
        conditions.append(or_(si.category_code == f.category, si.category_code.in_(children)))
    if f.domain:
        in_domain = select(InspectionCategory.code).where(InspectionCategory.domain == f.domain)
        conditions.append(si.category_code.in_(in_domain))
    if f.verdict:
        conditions.append(si.verdict == f.verdict)
    if f.task_source:
        conditions.append(si.task_source.contains(f.task_source, autoescape=True))
    if f.unit:
        unit = select(MarketEntity.id).where(MarketEntity.uscc == f.unit).scalar_subquery()
        conditions.append(si.sampled_entity_id == unit)
    if f.text:
        conditions.append(
            or_(
                si.product_name.contains(f.text, autoescape=True),
                si.manufacturer_name.contains(f.text, autoescape=True),
                si.sampled_unit_name.contains(f.text, autoescape=True),
                si.report_no.contains(f.text, autoescape=True),
            )
        )
    return conditions


def _selected(f: BrowseFilter, scope: Scope, columns: Sequence[Any] = ROW_COLUMNS) -> Select[Any]:
    conditions = _where(f, scope)
    query = select(*columns)
    return query.where(and_(*conditions)) if conditions else query


@dataclass(frozen=True)
class Cursor:
    """A position in the (sampling date, id) order."""

    day: dt.date
    id: int

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        match = _CURSOR.match(text)
        if not match:
            raise InputError(f"page cursor {text!r} is not DATE.ID; start again from page 1")
        try:
            return cls(dt.date.fromisoformat(match.group(1)), int(match.group(2)))
        except ValueError:
            raise InputError(f"page cursor {text!r} has no valid date") from None

    def __str__(self) -> str:
        return f"{self.day.isoformat()}.{self.id}"

    @classmethod
    def of(cls, record: Any) -> Cursor:
        """The position of ``record`` (anything with ``sampling_date`` and ``id``)."""
        return cls(record.sampling_date, record.id)


def _older_than(cursor: Cursor) -> Any:
    si = SamplingInspection
    return or_(
        si.sampling_date < cursor.day,
        and_(si.sampling_date == cursor.day, si.id < cursor.id),
    )


@dataclass(frozen=True)
class BrowsePage:
    rows: list[BrowseRow]
    total: int  # capped at COUNT_CAP + 1
    newer: Cursor | None  # "before" cursor of the newer page, None on the first page
    older: Cursor | None  # "after" cursor of the next page, None on the last page

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


def count(session: Session, f: BrowseFilter, scope: Scope) -> int:
    """How many inspections match, counted up to ``COUNT_CAP + 1``."""
    counted = _selected(f, scope).with_only_columns(SamplingInspection.id)
    capped = counted.limit(COUNT_CAP + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def page(
    session: Session,
    f: BrowseFilter,
    scope: Scope,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
    total: int | None = None,
) -> BrowsePage:
    """One page newest first: after ``after`` (older rows) or before ``before`` (newer rows).

    ``total`` is the match count when the caller already knows it (see :func:`count`).
    """
    si = SamplingInspection
    base = _selected(f, scope)
    if before is not None:
        newer = or_(
            si.sampling_date > before.day,
            and_(si.sampling_date == before.day, si.id > before.id),
        )
        found = session.execute(
            base.where(newer).order_by(si.sampling_date, si.id).limit(size + 1)
        ).all()
        more_newer = len(found) > size
        rows = [BrowseRow(*r) for r in reversed(found[:size])]
        has_newer, has_older = more_newer, True
    else:
        query = base
        if after is not None:
            query = query.where(_older_than(after))
        found = session.execute(
            query.order_by(si.sampling_date.desc(), si.id.desc()).limit(size + 1)
        ).all()
        rows = [BrowseRow(*r) for r in found[:size]]
        has_newer, has_older = after is not None, len(found) > size
    return BrowsePage(
        rows=rows,
        total=count(session, f, scope) if total is None else total,
        newer=Cursor.of(rows[0]) if rows and has_newer else None,
        older=Cursor.of(rows[-1]) if rows and has_older else None,
    )


@dataclass(frozen=True)
class Detail:
    record: SamplingInspection
    entity: MarketEntity | None  # the sampled unit's registry record, when matched

    @property
    def failed_items(self) -> list[TestItemResult]:
        return [i for i in self.record.items if i.verdict == "fail"]


def detail(session: Session, inspection_id: int, scope: Scope) -> Detail | None:
    """One inspection with its items, or None when it does not exist or is out of ``scope``."""
    conditions = _where(BrowseFilter(), scope)
    query = (
        select(SamplingInspection)
        .where(SamplingInspection.id == inspection_id, *conditions)
        .options(selectinload(SamplingInspection.items))
    )
    record = session.scalars(query).first()
    if record is None:
        return None
    entity = (
        session.get(MarketEntity, record.sampled_entity_id) if record.sampled_entity_id else None
    )
    return Detail(record, entity)


EXPORT_FIELDS = (
    "report_no", "sampling_date", "town", "category", "product_name", "brand", "specification",
    "production_batch", "sampled_unit_name", "sampled_unit_uscc", "sampled_unit_address",
    "legal_representative", "manufacturer_name", "manufacturer_uscc", "manufacturer_address",
    "task_source", "lab_name", "verdict", "failed_items",
)  # fmt: skip


def export_rows(
    session: Session,
    f: BrowseFilter,
    scope: Scope,
    town_names: dict[str, str],
    category_names: dict[str, str],
    limit: int = EXPORT_LIMIT,
) -> Iterator[list[str]]:
    """The rows of an export (:data:`EXPORT_FIELDS`), newest first, personal data masked:
    legal representatives' names masked, phone numbers in text fields masked."""
    si = SamplingInspection
    base = (
        _selected(f, scope, (SamplingInspection,))
        .add_columns(MarketEntity.uscc, MarketEntity.legal_representative)
        .outerjoin(MarketEntity, MarketEntity.id == si.sampled_entity_id)
        .order_by(si.sampling_date.desc(), si.id.desc())
    )
    after: Cursor | None = None
    left = limit
    while left > 0:
        query = base if after is None else base.where(_older_than(after))
        batch = [(r[0], r[1], r[2]) for r in session.execute(query.limit(min(_IN_BATCH, left)))]
        if not batch:
            return
        yield from _export_batch(session, batch, town_names, category_names)
        left -= len(batch)
        after = Cursor.of(batch[-1][0])


def _export_batch(
    session: Session,
    batch: Sequence[tuple[SamplingInspection, str | None, str | None]],
    town_names: dict[str, str],
    category_names: dict[str, str],
) -> Iterator[list[str]]:
    failed = failed_items(session, [r.id for r, _, _ in batch])
    for r, uscc, representative in batch:
        items = "; ".join(
            f"{i.item} {i.result}{i.unit} ({i.standard_limit})" for i in failed.get(r.id, [])
        )
        yield [
            r.report_no or "",
            r.sampling_date.isoformat(),
            town_names.get(r.town_code, r.town_code),
            category_names.get(r.category_code, r.category_code),
            scrub(r.product_name),
            r.brand,
            r.specification,
            r.production_batch,
            scrub(r.sampled_unit_name),
            uscc or "",
            scrub(r.sampled_unit_address),
            mask_name(representative) if representative else "",
            scrub(r.manufacturer_name),
            r.manufacturer_uscc or "",
            scrub(r.manufacturer_address),
            r.task_source,
            r.lab_name,
            r.verdict,
            items,
        ]


def failed_items(session: Session, ids: Sequence[int]) -> dict[int, list[TestItemResult]]:
    """The failed test items of the inspections ``ids``, by inspection id."""
    found: dict[int, list[TestItemResult]] = {}
    for start in range(0, len(ids), _IN_BATCH):
        chunk = ids[start : start + _IN_BATCH]
        for item in session.scalars(
            select(TestItemResult)
            .where(TestItemResult.inspection_id.in_(chunk), TestItemResult.verdict == "fail")
            .order_by(TestItemResult.id)
        ):
            found.setdefault(item.inspection_id, []).append(item)
    return found
