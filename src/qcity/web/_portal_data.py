"""What the public portal may show, read from the database: announced failed samples, headline
pass rates against the plan targets, and recall notices. Nothing here returns personal data.

Announced failed samples are the rows ``qcity inspection publish`` writes (failed verdict,
announcement number and date set, the announcement date not in the future), with phone numbers
in free text masked the same way (:func:`qcity.inspection._publish.scrub`). Recall notices carry
the product, reason, hazard, scope counts, status and dates; never who started the recall, the
holders' names or the progress notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from qcity.analytics.periods import Period
from qcity.indicators import repository as indicators_repository
from qcity.indicators import service as indicators_service
from qcity.indicators.models import IndicatorKind
from qcity.inspection._publish import scrub
from qcity.inspection.models import InspectionCategory, SamplingInspection, TestItemResult
from qcity.registry.models import OrgUnit, OrgUnitLevel
from qcity.trace import service as trace_service
from qcity.trace.models import RecallCase, RecallHolder, RecallLot

PAGE_SIZE = 25
RECALL_PAGE_SIZE = 20
LOTS_SHOWN = 30
DOMAINS = ("food", "agri", "manufactured", "consumer", "construction")


@dataclass(frozen=True)
class Filters:
    """The citizen's choice on the announcements page (all optional)."""

    period: Period | None = None
    category: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the last row shown (sampling date, id), newest first."""

    sampling_date: dt.date
    id: int

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """``2025-07-03.1234`` or None; anything malformed starts from the first page."""
        if not text:
            return None
        day, _, ident = text.partition(".")
        try:
            return cls(dt.date.fromisoformat(day), int(ident))
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.sampling_date.isoformat()}.{self.id}"


@dataclass(frozen=True)
class FailedItem:
    item: str
    result: str
    limit: str
    standard: str


@dataclass(frozen=True)
class Announcement:
    """One announced failed sample, in the published layout's terms."""

    id: int
    product_name: str
    brand: str
    specification: str
    batch: str
    manufacturer_name: str
    manufacturer_address: str
    sampled_unit_name: str
    sampled_unit_address: str
    town_code: str
    category_code: str
    sampling_date: dt.date
    announcement_no: str
    announcement_date: dt.date | None
    lab_name: str
    retest_outcome: str | None
    items: tuple[FailedItem, ...]


@dataclass(frozen=True)
class AnnouncementPage:
    rows: tuple[Announcement, ...]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class Headline:
    """A domain's pass rate for a year against its plan target."""

    domain: str
    indicator_id: str
    period: str
    value: float | None
    target: float | None
    comparator: str
    status: str
    samples: int | None
    failed: int | None


@dataclass(frozen=True)
class RecallNotice:
    """What the public learns about a recall case."""

    id: int
    products: tuple[str, ...]
    reason: str
    hazard: str
    status: str
    started_at: dt.datetime
    closed_at: dt.datetime | None
    lots: int
    holders: int
    holders_done: int
    town_codes: tuple[str, ...]
    lot_codes: tuple[str, ...]


def _announced(today: dt.date) -> list[object]:
    return [
        SamplingInspection.verdict == "fail",
        SamplingInspection.announcement_no.is_not(None),
        SamplingInspection.announcement_no != "",
        SamplingInspection.announcement_date.is_not(None),
        SamplingInspection.announcement_date <= today,
    ]


def _conditions(filters: Filters, today: dt.date) -> list[object]:
    conditions = _announced(today)
    if filters.period is not None:
        conditions.append(SamplingInspection.sampling_date >= filters.period.start)
        conditions.append(SamplingInspection.sampling_date <= filters.period.end)
    if filters.town:
        conditions.append(SamplingInspection.town_code == filters.town)
    if filters.category:
        children = select(InspectionCategory.code).where(
            InspectionCategory.parent_code == filters.category
        )
        conditions.append(
            or_(
                SamplingInspection.category_code == filters.category,
                SamplingInspection.category_code.in_(children),
            )
        )
    return conditions


def announcement_total(session: Session, filters: Filters, today: dt.date) -> int:
    """How many announced failed samples match ``filters``."""
    query = select(func.count()).where(and_(*_conditions(filters, today)))  # type: ignore[arg-type]
    return session.scalar(query.select_from(SamplingInspection)) or 0


def announcements(
    session: Session, filters: Filters, cursor: Cursor | None, today: dt.date
) -> tuple[tuple[Announcement, ...], str | None]:
    """One page (newest sampling first) after ``cursor``, and the cursor of the next page."""
    conditions = _conditions(filters, today)
    if cursor is not None:
        conditions.append(
            or_(
                SamplingInspection.sampling_date < cursor.sampling_date,
                and_(
                    SamplingInspection.sampling_date == cursor.sampling_date,
                    SamplingInspection.id < cursor.id,
                ),
            )
        )
    records = session.scalars(
        select(SamplingInspection)
        .where(and_(*conditions))  # type: ignore[arg-type]
        .order_by(SamplingInspection.sampling_date.desc(), SamplingInspection.id.desc())
        .limit(PAGE_SIZE + 1)
    ).all()
    shown = records[:PAGE_SIZE]
    items = _failed_items(session, [r.id for r in shown])
    rows = tuple(_announcement(r, items.get(r.id, ())) for r in shown)
    more = len(records) > PAGE_SIZE
    return rows, (str(Cursor(shown[-1].sampling_date, shown[-1].id)) if more else None)


def _failed_items(session: Session, ids: Sequence[int]) -> dict[int, tuple[FailedItem, ...]]:
    found: dict[int, list[FailedItem]] = {}
    if not ids:
        return {}
    for item in session.scalars(
        select(TestItemResult)
        .where(TestItemResult.inspection_id.in_(ids), TestItemResult.verdict == "fail")
        .order_by(TestItemResult.id)
    ):
        found.setdefault(item.inspection_id, []).append(
            FailedItem(item.item, item.result, item.standard_limit, item.standard_reference)
        )
    return {key: tuple(value) for key, value in found.items()}


def _announcement(r: SamplingInspection, items: tuple[FailedItem, ...]) -> Announcement:
    return Announcement(
        id=r.id,
        product_name=scrub(r.product_name),
        brand=scrub(r.brand or "/"),
        specification=scrub(r.specification),
        batch=r.production_batch,
        manufacturer_name=scrub(r.manufacturer_name),
        manufacturer_address=scrub(r.manufacturer_address),
        sampled_unit_name=scrub(r.sampled_unit_name),
        sampled_unit_address=scrub(r.sampled_unit_address),
        town_code=r.town_code,
        category_code=r.category_code,
        sampling_date=r.sampling_date,
        announcement_no=r.announcement_no or "",
        announcement_date=r.announcement_date,
        lab_name=r.lab_name,
        retest_outcome=r.retest_outcome,
        items=items,
    )


def latest_announced_sampling(session: Session, today: dt.date) -> dt.date | None:
    """The newest sampling date among announced failed samples (what the headline covers)."""
    query = select(func.max(SamplingInspection.sampling_date)).where(and_(*_announced(today)))  # type: ignore[arg-type]
    return session.scalar(query)


def towns(session: Session) -> tuple[OrgUnit, ...]:
    query = select(OrgUnit).where(OrgUnit.level == OrgUnitLevel.TOWN).order_by(OrgUnit.code)
    return tuple(session.scalars(query).all())


def categories(session: Session) -> tuple[InspectionCategory, ...]:
    query = select(InspectionCategory).order_by(InspectionCategory.code)
    return tuple(session.scalars(query).all())


def headlines(session: Session, year: int, today: dt.date) -> tuple[Headline, ...]:
    """Each domain's computed pass-rate indicator for ``year`` (plan order)."""
    found: list[Headline] = []
    for item in indicators_repository.indicators(session):
        if item.kind != IndicatorKind.PASS_RATE:
            continue
        domains = indicators_service.rate_definition(item).denominator.domain
        if len(domains) != 1 or domains[0] not in DOMAINS:
            continue
        out = indicators_service.evaluate(session, item, Period("year", year), None, today)
        found.append(
            Headline(
                domain=domains[0],
                indicator_id=item.id,
                period=out.period,
                value=out.value,
                target=out.target,
                comparator=out.comparator,
                status=out.status,
                samples=out.samples,
                failed=out.failed,
            )
        )
    order = {d: i for i, d in enumerate(DOMAINS)}
    return tuple(sorted(found, key=lambda h: order[h.domain]))


def recall_notices(
    session: Session, before: int | None
) -> tuple[tuple[RecallNotice, ...], int | None]:
    """Recall notices, newest first (keyset on id), and the id to continue before."""
    query = select(RecallCase).order_by(RecallCase.id.desc()).limit(RECALL_PAGE_SIZE + 1)
    if before is not None:
        query = query.where(RecallCase.id < before)
    cases = session.scalars(query).all()
    shown = cases[:RECALL_PAGE_SIZE]
    notices = tuple(_notice(session, case) for case in shown)
    return notices, (shown[-1].id if len(cases) > RECALL_PAGE_SIZE else None)


def recall_count(session: Session) -> tuple[int, int]:
    """Open and closed recall cases."""
    rows = session.execute(select(RecallCase.status, func.count()).group_by(RecallCase.status))
    counts: dict[str, int] = {status: count for status, count in rows}  # noqa: C416
    return counts.get("open", 0), counts.get("closed", 0)


def recall_notice(session: Session, case_id: int) -> RecallNotice | None:
    case = session.get(RecallCase, case_id)
    return None if case is None else _notice(session, case)


def _notice(session: Session, case: RecallCase) -> RecallNotice:
    in_case = RecallLot.case_id == case.id
    not_sscc = ~RecallLot.identifier.startswith("urn:epc:id:sscc:")
    counted = session.execute(
        select(RecallLot.product, func.count())
        .where(in_case, not_sscc, RecallLot.product != "")
        .group_by(RecallLot.product)
        .order_by(func.count().desc(), RecallLot.product)
        .limit(3)
    ).all()
    products = [scrub(product) for product, _ in counted]
    if not products:
        root_product = trace_service.Describer.load(session, {case.root}, set()).product(case.root)
        products = [root_product] if root_product else []
    identifiers = session.scalars(
        select(RecallLot.identifier)
        .where(in_case, not_sscc)
        .order_by(RecallLot.depth, RecallLot.id)
        .limit(LOTS_SHOWN * 4)
    ).all()
    lot_codes = list(dict.fromkeys(trace_service.lot_code(i) for i in identifiers))
    town_codes = session.scalars(
        select(RecallLot.town_code).where(in_case, RecallLot.town_code.is_not(None)).distinct()
    ).all()
    done = session.scalar(
        select(func.count()).where(
            RecallHolder.case_id == case.id, RecallHolder.state.in_(("removed", "destroyed"))
        )
    )
    return RecallNotice(
        id=case.id,
        products=tuple(products),
        reason=scrub(case.reason),
        hazard=scrub(case.hazard),
        status=case.status,
        started_at=case.started_at,
        closed_at=case.closed_at,
        lots=case.lots,
        holders=case.holders,
        holders_done=done or 0,
        town_codes=tuple(sorted(t for t in town_codes if t)),
        lot_codes=tuple(lot_codes[:LOTS_SHOWN]),
    )
