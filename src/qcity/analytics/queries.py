"""Pass-rate queries as Ibis expressions, the same on the records (SQLite, PostgreSQL) and the mart.

``records_facts()`` turns the operational tables into a fact view with one row per inspection;
the mart's ``fact_inspection`` table has the same columns, and its rollups (``agg_monthly``...)
the same keys with ``samples``/``failed`` counts. ``pass_rate_expr()`` builds the grouped pass-rate
query over any of the three; the caller compiles it for its backend (``ibis.to_sql``) or
executes it on an Ibis connection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from qcity.analytics.periods import Period, PeriodUnit, parse_unit
from qcity.errors import InputError

DOMAINS = ("food", "agri", "manufactured", "consumer", "construction")
# --by name -> fact column
GROUP_COLUMNS: dict[str, str] = {
    "town": "town_code",
    "category": "category_code",
    "industry": "industry_code",
    "source": "task_source",
    "period": "pidx",
}
BY_NAMES = tuple(GROUP_COLUMNS)

SAMPLING_INSPECTION = ibis.schema(
    {
        "id": "int64",
        "task_source": "string",
        "sampling_date": "date",
        "town_code": "string",
        "sampled_entity_id": "int64",
        "category_code": "string",
        "industry_code": "string",
        "verdict": "string",
        "imported_at": "timestamp",
    }
)
INSPECTION_CATEGORY = ibis.schema({"code": "string", "domain": "string"})
MARKET_ENTITY = ibis.schema({"id": "int64", "size_class": "string"})

# The fact columns (the mart's fact_inspection has exactly these).
FACT_COLUMNS = (
    "id",
    "sampling_date",
    "year",
    "quarter",
    "month",
    "town_code",
    "category_code",
    "domain",
    "industry_code",
    "task_source",
    "size_class",
    "verdict",
    "failed",
)


@dataclass(frozen=True)
class RecordFilter:
    """Which records count (the denominator). Empty tuples mean "no restriction"."""

    domains: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    task_sources: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    date_from: dt.date | None = None  # inclusive; needs a table with sampling_date
    date_to: dt.date | None = None  # inclusive

    def __post_init__(self) -> None:
        for domain in self.domains:
            if domain not in DOMAINS:
                raise InputError(f"domain {domain!r} is not one of {', '.join(DOMAINS)}")


@dataclass(frozen=True)
class PassRateQuery:
    """What ``qcity inspection pass-rate`` and ``/api/pass-rates`` ask for."""

    by: tuple[str, ...] = ()
    period: Period | None = None
    unit: PeriodUnit | None = None  # the unit of the "period" grouping key
    filters: RecordFilter = field(default_factory=RecordFilter)
    failure_verdicts: tuple[str, ...] = ("fail",)

    @classmethod
    def parse(
        cls,
        by: str | None = None,
        period: str | None = None,
        domain: str | None = None,
        period_unit: str | None = None,
        town: str | None = None,
    ) -> PassRateQuery:
        """Validate the CLI/API parameters; a bad value is a one-line InputError."""
        keys: list[str] = []
        for raw in (by or "").split(","):
            name = raw.strip()
            if not name:
                continue
            if name not in GROUP_COLUMNS:
                raise InputError(f"--by {name!r} is not one of {', '.join(BY_NAMES)}")
            if name not in keys:
                keys.append(name)
        unit = parse_unit(period_unit) if period_unit else None
        if unit and "period" not in keys:
            keys.append("period")  # --period-unit implies grouping by period
        if "period" in keys and unit is None:
            unit = "month"
        parsed = Period.parse(period) if period else None
        if parsed and unit and not parsed.finer_or_equal(unit):
            raise InputError(
                f"--period-unit {unit} is coarser than --period {parsed}; "
                f"use --period-unit {parsed.unit} or finer"
            )
        filters = RecordFilter(domains=(domain,) if domain else (), towns=(town,) if town else ())
        return cls(by=tuple(keys), period=parsed, unit=unit, filters=filters)

    @property
    def effective_unit(self) -> PeriodUnit | None:
        """The unit of the period buckets: the --period-unit, else the unit of --period."""
        if self.unit:
            return self.unit
        return self.period.unit if self.period else None

    @property
    def dimension_columns(self) -> list[str]:
        return [GROUP_COLUMNS[k] for k in self.by if k != "period"]


def records_facts(
    inspections: ir.Table | None = None,
    categories: ir.Table | None = None,
    entities: ir.Table | None = None,
) -> ir.Table:
    """The fact view over the operational tables: one row per inspection (FACT_COLUMNS)."""
    si = (
        inspections
        if inspections is not None
        else ibis.table(SAMPLING_INSPECTION, name="sampling_inspection")
    )
    cat = (
        categories
        if categories is not None
        else ibis.table(INSPECTION_CATEGORY, name="inspection_category")
    )
    ent = entities if entities is not None else ibis.table(MARKET_ENTITY, name="market_entity")
    cat = cat.select(cat_code=cat.code, domain=cat.domain)
    ent = ent.select(entity_id=ent.id, size_class=ent.size_class)
    joined = si.inner_join(cat, si.category_code == cat.cat_code).left_join(
        ent, si.sampled_entity_id == ent.entity_id
    )
    month = joined.sampling_date.month().cast("int16")
    quarter = ibis.cases((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4).cast("int16")
    return joined.select(
        id=joined.id,
        sampling_date=joined.sampling_date,
        year=joined.sampling_date.year().cast("int16"),
        quarter=quarter,
        month=month,
        town_code=joined.town_code,
        category_code=joined.category_code,
        domain=joined.domain,
        industry_code=joined.industry_code,
        task_source=joined.task_source,
        size_class=joined.size_class,
        verdict=joined.verdict,
        failed=ibis.ifelse(joined.verdict == "fail", 1, 0).cast("int8"),
        imported_at=joined.imported_at,
    )


def period_index(table: ir.Table, unit: PeriodUnit) -> ir.IntegerValue:
    """The period index of each row (see :mod:`qcity.analytics.periods`)."""
    year = table.year.cast("int32")
    if unit == "month":
        return year * 12 + table.month.cast("int32") - 1
    if unit == "quarter":
        return year * 4 + table.quarter.cast("int32") - 1
    return year


def filtered(table: ir.Table, filters: RecordFilter) -> ir.Table:
    """Apply a :class:`RecordFilter` to a fact table (or the monthly aggregate)."""
    conditions = []
    for values, column in (
        (filters.domains, "domain"),
        (filters.categories, "category_code"),
        (filters.task_sources, "task_source"),
        (filters.towns, "town_code"),
        (filters.industries, "industry_code"),
    ):
        if values:
            conditions.append(table[column].isin(list(values)))
    if filters.date_from is not None:
        d = filters.date_from
        conditions.append(table.sampling_date >= ibis.date(d.year, d.month, d.day))
    if filters.date_to is not None:
        d = filters.date_to
        conditions.append(table.sampling_date <= ibis.date(d.year, d.month, d.day))
    return table.filter(*conditions) if conditions else table


def pass_rate_expr(table: ir.Table, query: PassRateQuery) -> ir.Table:
    """Samples and failures per group, with the previous period's counts alongside.

    ``table`` is a fact table (one row per inspection, ``failed`` 0/1) or a pre-aggregated
    one (``samples`` and ``failed`` counts). The result has the dimension columns of
    ``query.by``, ``pidx`` when there is a period, and ``samples``, ``failed``,
    ``previous_samples``, ``previous_failed`` (null when the previous period has no samples).
    """
    t = filtered(table, query.filters)
    unit = query.effective_unit
    if query.failure_verdicts != ("fail",):
        if "verdict" not in t.columns:
            raise ValueError("a failure definition other than verdict = 'fail' needs the facts")
        failed = ibis.ifelse(t.verdict.isin(list(query.failure_verdicts)), 1, 0)
        t = t.mutate(failed=failed.cast("int8"))
    dims = query.dimension_columns
    if unit is not None:
        t = t.mutate(pidx=period_index(t, unit))
    lo = hi = None
    if query.period is not None and unit is not None:
        first, last = query.period.split(unit)
        lo, hi = first.index, last.index
        # Read one bucket more at the start: the previous period of the first bucket.
        if "sampling_date" in t.columns:
            start = first.previous().start
            end = query.period.next().start
            t = t.filter(
                t.sampling_date >= ibis.date(start.year, start.month, start.day),
                t.sampling_date < ibis.date(end.year, end.month, end.day),
            )
        else:
            t = t.filter(t.pidx >= lo - 1, t.pidx <= hi)
    keys = [*dims, "pidx"] if unit is not None else dims
    samples = t.samples.sum() if "samples" in t.columns else t.count()
    metrics = {"samples": samples.cast("int64"), "failed": t.failed.sum().cast("int64")}
    agg = t.group_by(keys).aggregate(**metrics) if keys else t.aggregate(**metrics)
    if unit is None:
        return agg.mutate(previous_samples=ibis.null("int64"), previous_failed=ibis.null("int64"))
    # The previous period of the same group: the row before in the group's period order, when
    # it is the adjacent period. (A window, not a self-join: NULL keys group together and no
    # engine falls back to a nested-loop join on IS NOT DISTINCT FROM.)
    window = ibis.window(group_by=dims, order_by="pidx") if dims else ibis.window(order_by="pidx")
    adjacent = agg.pidx.lag().over(window) == agg.pidx - 1
    out = agg.select(
        *keys,
        "samples",
        "failed",
        previous_samples=ibis.ifelse(adjacent, agg.samples.lag().over(window), ibis.null()),
        previous_failed=ibis.ifelse(adjacent, agg.failed.lag().over(window), ibis.null()),
    )
    if lo is not None and hi is not None:
        out = out.filter(out.pidx >= lo, out.pidx <= hi)
    return out


def compile_for(expr: ir.Expr, dialect: str) -> str:
    """The SQL of ``expr`` for ``dialect`` ("sqlite", "postgres", "duckdb")."""
    return str(ibis.to_sql(expr, dialect=dialect))


def dialect_of(sqlalchemy_dialect: str) -> str:
    return {"postgresql": "postgres", "sqlite": "sqlite", "duckdb": "duckdb"}[sqlalchemy_dialect]


def by_names(columns: Sequence[str]) -> list[str]:
    inverse = {v: k for k, v in GROUP_COLUMNS.items()}
    return [inverse[c] for c in columns]
