"""Pass rates with score intervals and the change against the previous period.

The counting is an Ibis expression (:func:`qcity.analytics.queries.pass_rate_expr`) run where
the data is: compiled for the records database and executed through SQLAlchemy, or executed
on the DuckDB mart. Rates, Wilson intervals and changes are then derived here, identically for
every backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import ibis.expr.types as ir  # type: ignore[import-untyped]
import numpy as np
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from qcity.analytics.mart import choose_table, mart_table
from qcity.analytics.periods import Period
from qcity.analytics.queries import (
    GROUP_COLUMNS,
    PassRateQuery,
    compile_for,
    dialect_of,
    pass_rate_expr,
    records_facts,
)
from qcity.stats import wilson_bounds


@dataclass(frozen=True)
class PassRateRow:
    """One group: its keys (by --by name), counts, rate, 95 % Wilson interval and change."""

    keys: dict[str, str | None]
    samples: int
    failed: int
    pass_rate: float
    ci_low: float
    ci_high: float
    previous_pass_rate: float | None
    change: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.keys,
            "samples": self.samples,
            "failed": self.failed,
            "pass_rate": self.pass_rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "previous_pass_rate": self.previous_pass_rate,
            "change": self.change,
        }


def finish(raw: Iterable[Mapping[str, Any]], query: PassRateQuery) -> list[PassRateRow]:
    """Turn the counts of :func:`pass_rate_expr` into rates, intervals and changes."""
    unit = query.effective_unit
    key_names = [k for k in query.by if k != "period"]
    columns = [GROUP_COLUMNS[k] for k in key_names]
    # An aggregate without grouping keys over no rows is one row of zeros: no group at all.
    rows = [r for r in raw if r["samples"]]
    if not rows:
        return []
    samples = np.fromiter((int(r["samples"]) for r in rows), np.int64, len(rows))
    failed = np.fromiter((int(r["failed"] or 0) for r in rows), np.int64, len(rows))
    prev_n = np.fromiter((int(r["previous_samples"] or 0) for r in rows), np.int64, len(rows))
    prev_f = np.fromiter((int(r["previous_failed"] or 0) for r in rows), np.int64, len(rows))
    rate = (samples - failed) / samples
    low, high = wilson_bounds(samples - failed, samples)
    with np.errstate(divide="ignore", invalid="ignore"):
        previous = np.where(prev_n > 0, (prev_n - prev_f) / prev_n, np.nan)
    labels: dict[int, str] = {}
    out: list[PassRateRow] = []
    for i, r in enumerate(rows):
        keys: dict[str, str | None] = {
            name: _text(r[column]) for name, column in zip(key_names, columns, strict=True)
        }
        if unit is not None:
            index = int(r["pidx"])
            label = labels.get(index)
            if label is None:
                label = labels[index] = Period.from_index(unit, index).label
            keys["period"] = label
        has_previous = bool(prev_n[i] > 0)
        out.append(
            PassRateRow(
                keys=keys,
                samples=int(samples[i]),
                failed=int(failed[i]),
                pass_rate=float(rate[i]),
                ci_low=float(low[i]),
                ci_high=float(high[i]),
                previous_pass_rate=float(previous[i]) if has_previous else None,
                change=float(rate[i] - previous[i]) if has_previous else None,
            )
        )
    out.sort(key=lambda row: tuple("" if v is None else "\x01" + v for v in row.keys.values()))
    return out


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def count_rows(connection: Connection | Session, expr: ir.Table) -> list[dict[str, Any]]:
    """Execute an Ibis expression over the records through SQLAlchemy (SQLite or PostgreSQL)."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    sql = compile_for(expr, dialect_of(bind.dialect.name))
    result = connection.execute(text(sql))
    return [dict(row._mapping) for row in result]


def pass_rates(connection: Connection | Session, query: PassRateQuery) -> list[PassRateRow]:
    """Pass rates from the records database."""
    return finish(count_rows(connection, pass_rate_expr(records_facts(), query)), query)


def pass_rates_from_mart(
    con: duckdb.DuckDBPyConnection, query: PassRateQuery, table: str | None = None
) -> list[PassRateRow]:
    """Pass rates from the DuckDB mart, from ``table`` or the smallest table that answers."""
    expr = pass_rate_expr(mart_table(table or choose_table(query)), query)
    arrow = con.sql(compile_for(expr, "duckdb")).to_arrow_table()
    return finish(arrow.to_pylist(), query)
