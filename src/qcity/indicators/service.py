"""Indicator logic: values, status bands, trends, probabilities and reported values.

The rules are written down in ``docs/indicators.md``. Services never commit.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from qcity.analytics import service as analytics
from qcity.analytics.periods import Period
from qcity.analytics.queries import PassRateQuery, RecordFilter
from qcity.errors import InputError, NotFound
from qcity.indicators import repository
from qcity.indicators.models import Comparator, Indicator, IndicatorKind, IndicatorValue
from qcity.indicators.schemas import (
    IndicatorOut,
    LegendBand,
    RateDefinition,
    Status,
    Trend,
    TrendPoint,
)
from qcity.stats import probability_of_meeting_target

PLAN_TARGETS = Path(__file__).parent / "data" / "plan_targets.csv"
TREND_PERIODS = 6  # the evaluated period and up to five before it
RISK_PROBABILITY = 0.5  # below this chance of meeting the target a pass rate is "at risk"
_FLAT = 1e-9


def classify(
    comparator: str,
    target: float | None,
    margin: float,
    value: float | None,
    *,
    previous: float | None = None,
    probability: float | None = None,
) -> Status:
    """The legend band of ``value`` (see docs/indicators.md)."""
    if value is None:
        return "no_data"
    if comparator == Comparator.RISING:
        if previous is None:
            return "no_data"
        delta = value - previous
        if delta > _FLAT:
            return "met"
        return "at_risk" if delta >= -margin - _FLAT else "missed"
    if target is None:
        return "no_data"
    if comparator == Comparator.ABOUT:
        gap = abs(value - target)
        if gap <= margin + _FLAT:
            return "met"
        return "at_risk" if gap <= 2 * margin + _FLAT else "missed"
    # ">=": shortfall = target - value; "<=": excess = value - target
    short = target - value if comparator == Comparator.AT_LEAST else value - target
    if short <= _FLAT:
        if probability is not None and probability < RISK_PROBABILITY:
            return "at_risk"
        return "met"
    return "at_risk" if short <= margin + _FLAT else "missed"


def legend(item: Indicator) -> list[LegendBand]:
    """The bands of ``item`` in words, for the legend next to the value."""
    t, m, u = item.target, item.at_risk_margin, item.unit
    p = item.kind == IndicatorKind.PASS_RATE
    risk = f" or P(meeting it at the deadline) < {RISK_PROBABILITY}" if p else ""
    if item.comparator == Comparator.RISING:
        bands = [
            ("met", "value above the previous period's"),
            ("at_risk", f"value at most {m:g} {u} below the previous period's, or equal"),
            ("missed", f"value more than {m:g} {u} below the previous period's"),
        ]
    elif item.comparator == Comparator.ABOUT:
        bands = [
            ("met", f"within {m:g} {u} of {t:g}"),
            ("at_risk", f"within {2 * m:g} {u} of {t:g}"),
            ("missed", f"more than {2 * m:g} {u} from {t:g}"),
        ]
    elif item.comparator == Comparator.AT_MOST:
        bands = [
            ("met", f"value <= {t:g}" + (f" and P(meeting it) >= {RISK_PROBABILITY}" if p else "")),
            ("at_risk", f"{t:g} < value <= {t + m:g}{risk}" if t is not None else ""),
            ("missed", f"value > {t + m:g}" if t is not None else ""),
        ]
    else:
        lower = (t or 0.0) - m
        bands = [
            ("met", f"value >= {t:g}" + (f" and P(meeting it) >= {RISK_PROBABILITY}" if p else "")),
            ("at_risk", f"{lower:g} <= value < {t:g}{risk}"),
            ("missed", f"value < {lower:g}"),
        ]
    return [LegendBand(status=s, rule=r) for s, r in [*bands, ("no_data", "no value yet")]]


def rate_definition(item: Indicator) -> RateDefinition:
    try:
        return RateDefinition.model_validate(item.definition or {})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise InputError(f"indicator {item.id} has an invalid definition: {reason}") from None


def record_filter(
    definition: RateDefinition,
    town: str | None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> RecordFilter:
    d = definition.denominator
    return RecordFilter(
        domains=tuple(d.domain),
        categories=tuple(d.category_code),
        task_sources=tuple(d.task_source),
        industries=tuple(d.industry_code),
        towns=(town,) if town else (),
        date_from=date_from,
        date_to=date_to,
    )


@dataclass(frozen=True)
class RateValue:
    samples: int
    failed: int

    @property
    def percent(self) -> float:
        return 100.0 * (self.samples - self.failed) / self.samples


def _rate(
    session: Session, definition: RateDefinition, query: PassRateQuery
) -> list[tuple[str | None, RateValue]]:
    query = PassRateQuery(
        by=query.by,
        period=query.period,
        unit=query.unit,
        filters=query.filters,
        failure_verdicts=tuple(definition.failures.verdict),
    )
    rows = analytics.pass_rates(session, query)
    return [(r.keys.get("period"), RateValue(r.samples, r.failed)) for r in rows]


def _direction(points: Sequence[TrendPoint]) -> Trend:
    if len(points) < 2:
        return Trend(points=list(points), direction=None)
    delta = points[-1].value - points[-2].value
    direction = "flat" if abs(delta) <= _FLAT else ("up" if delta > 0 else "down")
    return Trend(points=list(points), direction=direction)


def evaluate(
    session: Session,
    item: Indicator,
    period: Period | None = None,
    town: str | None = None,
    as_of: dt.date | None = None,
) -> IndicatorOut:
    """``item`` for ``period`` (default: the deadline's year) and ``town`` (None: the city)."""
    period = period or Period("year", item.deadline.year)
    as_of = as_of or dt.date.today()
    first = Period.from_index(period.unit, period.index - (TREND_PERIODS - 1))
    extra: dict[str, object] = {}
    value: float | None = None
    previous: float | None = None
    probability: float | None = None
    if item.kind == IndicatorKind.PASS_RATE:
        definition = rate_definition(item)
        trend_query = PassRateQuery(
            by=("period",),
            unit=period.unit,
            filters=record_filter(definition, town, first.start, period.end),
        )
        series = _rate(session, definition, trend_query)
        points = [TrendPoint(period=p or "", value=v.percent) for p, v in series]
        current = dict(series).get(period.label)
        if current is not None:
            value = current.percent
            extra.update(samples=current.samples, failed=current.failed)
        before = dict(series).get(period.previous().label)
        previous = before.percent if before else None
        probability, method = _probability(session, item, definition, town, period, as_of)
        extra.update(
            probability_of_meeting_target=probability,
            probability_method=method,
            definition=definition.model_dump(),
        )
    else:
        latest: dict[str, IndicatorValue] = {}
        for report in repository.values(session, item.id, town):
            latest.setdefault(report.period, report)  # newest report per period wins
        points = []
        for index in range(first.index, period.index + 1):
            label = Period.from_index(period.unit, index).label
            if label in latest:
                points.append(TrendPoint(period=label, value=latest[label].value))
        if period.label in latest:
            report = latest[period.label]
            value = report.value
            extra.update(reported_by=report.reported_by, reported_at=report.reported_at)
        before_report = latest.get(period.previous().label)
        previous = before_report.value if before_report else None
    return indicator_out(
        item, period.label, town, value, points, previous=previous, probability=probability, **extra
    )


def indicator_out(
    item: Indicator,
    period_label: str,
    town: str | None,
    value: float | None,
    points: Sequence[TrendPoint],
    *,
    previous: float | None,
    probability: float | None,
    **extra: Any,
) -> IndicatorOut:
    """The indicator's state for one period and town: its status band, trend and legend."""
    status = classify(
        item.comparator,
        item.target,
        item.at_risk_margin,
        value,
        previous=previous,
        probability=probability,
    )
    return IndicatorOut(
        id=item.id,
        name=item.name_zh_hans,
        name_zh_hans=item.name_zh_hans,
        name_en=item.name_en,
        kind=item.kind,
        target=item.target,
        comparator=item.comparator,
        unit=item.unit,
        deadline=item.deadline,
        period=period_label,
        town_code=town,
        value=value,
        status=status,
        trend=_direction(points),
        legend=legend(item),
        source_clause=item.source_clause,
        provenance=item.provenance,
        **extra,
    )


def _probability(
    session: Session,
    item: Indicator,
    definition: RateDefinition,
    town: str | None,
    period: Period,
    as_of: dt.date,
) -> tuple[float | None, str | None]:
    """P(the pass rate over the deadline's year meets the target), from the year to date.

    Year to date = 1 January of the deadline's year up to min(as_of, end of the evaluated
    period, deadline). The samples still expected are the year-to-date volume extrapolated at
    the same daily rate to the deadline.
    """
    if item.target is None or item.comparator not in (Comparator.AT_LEAST, Comparator.AT_MOST):
        return None, None
    year_start = dt.date(item.deadline.year, 1, 1)
    cutoff = min(as_of, period.end, item.deadline)
    if cutoff < year_start:
        return None, None
    query = PassRateQuery(filters=record_filter(definition, town, year_start, cutoff))
    rows = _rate(session, definition, query)
    if not rows or rows[0][1].samples == 0:
        return None, None
    ytd = rows[0][1]
    elapsed = (cutoff - year_start).days + 1
    left = (item.deadline - cutoff).days
    remaining = round(ytd.samples * left / elapsed)
    result = probability_of_meeting_target(
        ytd.samples - ytd.failed,
        ytd.samples,
        item.target / 100.0,
        remaining,
        comparator=">=" if item.comparator == Comparator.AT_LEAST else "<=",
    )
    return result.probability, f"beta-binomial exact, Jeffreys prior, {remaining} more samples"


def show(
    session: Session,
    period: str | None = None,
    town: str | None = None,
    as_of: dt.date | None = None,
) -> list[IndicatorOut]:
    """Every indicator evaluated for ``period`` (default: each one's deadline year)."""
    parsed = Period.parse(period) if period else None
    if town is not None and not repository.town_exists(session, town):
        raise InputError(f"town {town!r} is not in the registry; see `qcity registry towns`")
    return [evaluate(session, i, parsed, town, as_of) for i in repository.indicators(session)]


def get(
    session: Session,
    indicator_id: str,
    period: str | None = None,
    town: str | None = None,
    as_of: dt.date | None = None,
) -> IndicatorOut:
    item = _indicator(session, indicator_id)
    if town is not None and not repository.town_exists(session, town):
        raise InputError(f"town {town!r} is not in the registry; see `qcity registry towns`")
    return evaluate(session, item, Period.parse(period) if period else None, town, as_of)


def _indicator(session: Session, indicator_id: str) -> Indicator:
    item = repository.indicator(session, indicator_id)
    if item is None:
        raise NotFound(f"no indicator {indicator_id!r}; `qcity indicators show` lists them")
    return item


def report_value(
    session: Session,
    indicator_id: str,
    *,
    period: str,
    value: float,
    reported_by: str,
    town: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> IndicatorValue:
    """Record a reported value with who and when; computed indicators refuse reports."""
    item = _indicator(session, indicator_id)
    if item.kind != IndicatorKind.REPORTED:
        raise InputError(
            f"indicator {indicator_id} is computed from the inspection records; "
            "it takes no reported values"
        )
    parsed = Period.parse(period)
    if not math.isfinite(value):
        raise InputError(f"value {value!r} is not a finite number")
    who = reported_by.strip()
    if not who or len(who) > 64:
        raise InputError("--by must name who reports the value (1 to 64 characters)")
    if town is not None and not repository.town_exists(session, town):
        raise InputError(f"town {town!r} is not in the registry; see `qcity registry towns`")
    record = IndicatorValue(
        indicator_id=item.id,
        period=parsed.label,
        town_code=town,
        value=float(value),
        reported_by=who,
        reported_at=now or dt.datetime.now(dt.UTC),
        note=note,
    )
    return repository.add_value(session, record)


def load_plan(session: Session, file: Path | None = None) -> int:
    """Insert or update indicators from a plan_targets.csv-format file (the packaged one).

    Existing indicators keep their kind, margin and definition; new ones are reported
    indicators with the default margin (docs/indicators.md).
    """
    path = file or PLAN_TARGETS
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    count = 0
    for number, row in enumerate(rows, start=2):
        try:
            comparator = Comparator(row["comparator"]).value
            target = float(row["target"]) if row["target"] else None
            deadline = dt.date.fromisoformat(row["deadline"])
            ident = row["id"].strip()
        except (KeyError, ValueError) as exc:
            raise InputError(f"{path.name} line {number}: {exc}") from exc
        existing = repository.indicator(session, ident)
        item = existing or Indicator(
            id=ident,
            kind=IndicatorKind.REPORTED.value,
            at_risk_margin=default_margin(comparator, target, row["unit"]),
            definition=None,
        )
        item.name_zh_hans = row["name_zh_hans"]
        item.name_en = row["name_en"]
        item.comparator = comparator
        item.target = target
        item.unit = row["unit"]
        item.deadline = deadline
        item.source_clause = row["source_clause"]
        item.measured_from = row["measured_from"]
        item.provenance = f"{path.name} line {number}"
        repository.save_indicator(session, item)
        count += 1
    return count


def default_margin(comparator: str, target: float | None, unit: str) -> float:
    """1 point for % and index targets, 0.2 for "about", 10 % of the target for counts."""
    if comparator == Comparator.RISING or target is None:
        return 0.0
    if comparator == Comparator.ABOUT:
        return 0.2
    if unit in ("%", "index"):
        return 1.0
    return round(0.1 * abs(target), 6)
