"""The indicator board: every indicator evaluated, pass rates read from the analytics mart.

:func:`board` gives the same results as :func:`qcity.indicators.service.show` (the rules of
``docs/indicators.md``), but counts the pass-rate indicators through a
:class:`~qcity.analytics._towns.RateReader`: on the DuckDB mart when it is built for this
database, on the records otherwise. Reported indicators are read from their table as usual.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from qcity.analytics._towns import RateReader
from qcity.analytics.periods import Period
from qcity.analytics.queries import PassRateQuery
from qcity.errors import InputError
from qcity.indicators import repository, service
from qcity.indicators.models import Comparator, Indicator, IndicatorKind
from qcity.indicators.schemas import IndicatorOut, RateDefinition, TrendPoint
from qcity.stats import probability_of_meeting_target


def board(
    session: Session,
    rates: RateReader,
    period: str | None = None,
    town: str | None = None,
    as_of: dt.date | None = None,
) -> list[IndicatorOut]:
    """Every indicator for ``period`` (default: each one's deadline year) and ``town``."""
    parsed = Period.parse(period) if period else None
    if town is not None and not repository.town_exists(session, town):
        raise InputError(f"town {town!r} is not in the registry; see `qcity registry towns`")
    day = as_of or dt.date.today()
    out = []
    for item in repository.indicators(session):
        if item.kind == IndicatorKind.PASS_RATE and rates.source.kind == "mart":
            out.append(_pass_rate(rates, item, parsed, town, day))
        else:
            out.append(service.evaluate(session, item, parsed, town, day))
    return out


def _counts(
    rates: RateReader, definition: RateDefinition, query: PassRateQuery
) -> dict[str | None, tuple[int, int]]:
    query = PassRateQuery(
        by=query.by,
        period=query.period,
        unit=query.unit,
        filters=query.filters,
        failure_verdicts=tuple(definition.failures.verdict),
    )
    return {r.keys.get("period"): (r.samples, r.failed) for r in rates.pass_rates(query)}


def _percent(counts: tuple[int, int] | None) -> float | None:
    if counts is None:
        return None
    samples, failed = counts
    return 100.0 * (samples - failed) / samples


def _pass_rate(
    rates: RateReader, item: Indicator, period: Period | None, town: str | None, as_of: dt.date
) -> IndicatorOut:
    """One pass-rate indicator, as :func:`qcity.indicators.service.evaluate` computes it."""
    period = period or Period("year", item.deadline.year)
    first = Period.from_index(period.unit, period.index - (service.TREND_PERIODS - 1))
    definition = service.rate_definition(item)
    series = _counts(
        rates,
        definition,
        PassRateQuery(
            by=("period",),
            unit=period.unit,
            filters=service.record_filter(definition, town, first.start, period.end),
        ),
    )
    points = [TrendPoint(period=p or "", value=_percent(c) or 0.0) for p, c in series.items()]
    current = series.get(period.label)
    value = _percent(current)
    previous = _percent(series.get(period.previous().label))
    probability, method = _probability(rates, item, definition, town, period, as_of)
    return service.indicator_out(
        item,
        period.label,
        town,
        value,
        points,
        previous=previous,
        probability=probability,
        samples=current[0] if current else None,
        failed=current[1] if current else None,
        probability_of_meeting_target=probability,
        probability_method=method,
        definition=definition.model_dump(),
    )


def _probability(
    rates: RateReader,
    item: Indicator,
    definition: RateDefinition,
    town: str | None,
    period: Period,
    as_of: dt.date,
) -> tuple[float | None, str | None]:
    """As :func:`qcity.indicators.service._probability`, counting through ``rates``."""
    if item.target is None or item.comparator not in (Comparator.AT_LEAST, Comparator.AT_MOST):
        return None, None
    year_start = dt.date(item.deadline.year, 1, 1)
    cutoff = min(as_of, period.end, item.deadline)
    if cutoff < year_start:
        return None, None
    query = PassRateQuery(filters=service.record_filter(definition, town, year_start, cutoff))
    counts = _counts(rates, definition, query).get(None)
    if counts is None or counts[0] == 0:
        return None, None
    samples, failed = counts
    elapsed = (cutoff - year_start).days + 1
    remaining = round(samples * (item.deadline - cutoff).days / elapsed)
    result = probability_of_meeting_target(
        samples - failed,
        samples,
        item.target / 100.0,
        remaining,
        comparator=">=" if item.comparator == Comparator.AT_LEAST else "<=",
    )
    return result.probability, f"beta-binomial exact, Jeffreys prior, {remaining} more samples"
