"""Pass rates for the web pages: from the DuckDB mart when it is built for this database,
else from the records.

A :class:`RateReader` answers :class:`~qcity.analytics.queries.PassRateQuery` objects and a few
small lookups (the newest sampling date). The mart is opened read-only once per file version
(its modification time): a rebuild swaps the file, and the next request opens the new one.
Each query runs on its own DuckDB cursor, so threads share the connection safely. A mart built
from another database (``mart_meta.source``) is ignored.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import Session

from qcity.analytics import service
from qcity.analytics.queries import PassRateQuery
from qcity.analytics.service import PassRateRow
from qcity.db.engine import database_label
from qcity.inspection.models import SamplingInspection
from qcity.registry.models import MarketEntity

_lock = threading.Lock()
_open: dict[Path, tuple[int, duckdb.DuckDBPyConnection, dict[str, Any]]] = {}


@dataclass(frozen=True)
class Source:
    """Where the figures come from: ``mart`` (with its build time) or ``records``."""

    kind: Literal["mart", "records"]
    built_at: dt.datetime | None = None
    version: int = 0  # the mart file's modification time (ns); 0 for the records


def _connection(path: Path) -> tuple[int, duckdb.DuckDBPyConnection, dict[str, Any]] | None:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    with _lock:
        cached = _open.get(path)
        if cached is not None and cached[0] == stamp:
            return cached
        try:
            con = duckdb.connect(str(path), read_only=True)
            cursor = con.execute("SELECT source, built_at FROM mart_meta")
            row = cursor.fetchone()
        except duckdb.Error:
            return None
        meta = {"source": row[0], "built_at": row[1]} if row else {}
        _open[path] = (stamp, con, meta)  # the old connection closes when unreferenced
        return _open[path]


class RateReader:
    """Pass rates from the mart at ``mart_file`` when it was built from ``engine``'s database."""

    def __init__(self, engine: Engine, mart_file: Path | None) -> None:
        self.engine = engine
        self._mart = None
        if mart_file is not None:
            opened = _connection(mart_file)
            if opened is not None and opened[2].get("source") == database_label(engine.url):
                self._mart = opened

    @property
    def source(self) -> Source:
        if self._mart is None:
            return Source("records")
        return Source("mart", self._mart[2].get("built_at"), self._mart[0])

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        assert self._mart is not None
        cursor = self._mart[1].cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def pass_rates(self, query: PassRateQuery, session: Session | None = None) -> list[PassRateRow]:
        """Rows of ``query`` (see :func:`qcity.analytics.service.pass_rates`)."""
        if self._mart is not None:
            with self._cursor() as cursor:
                return service.pass_rates_from_mart(cursor, query)
        if session is not None:
            return service.pass_rates(session, query)
        with Session(self.engine) as own:
            return service.pass_rates(own, query)

    def latest_date(self) -> dt.date | None:
        """The newest sampling date there is (None without inspections)."""
        if self._mart is not None:
            with self._cursor() as cursor:
                row = cursor.execute("SELECT max(sampling_date) FROM fact_inspection").fetchone()
            return row[0] if row else None
        with Session(self.engine) as session:
            day = session.scalar(select(func.max(SamplingInspection.sampling_date)))
        if isinstance(day, str):  # SQLite without type affinity on aggregates
            return dt.date.fromisoformat(day)
        return day


@dataclass(frozen=True)
class EntityRate:
    """Samples and failures of one sampled unit (a registered entity or, unmatched, a name)."""

    uscc: str | None
    name: str
    samples: int
    failed: int

    @property
    def pass_rate(self) -> float:
        return (self.samples - self.failed) / self.samples


def entity_rates(
    session: Session,
    town_code: str,
    category_code: str,
    date_from: dt.date,
    date_to: dt.date,
    limit: int = 200,
) -> tuple[list[EntityRate], bool]:
    """The sampled units of one town and category in [date_from, date_to], most failures
    first; and whether there were more than ``limit`` of them.

    Served by the (date, town, category) index; an entity is its registry record when the
    sampled unit was matched to one, else its name as sampled.
    """
    si = SamplingInspection
    failed = func.sum(case((si.verdict == "fail", 1), else_=0))
    unmatched_name = case((si.sampled_entity_id.is_(None), si.sampled_unit_name))
    inner = (
        select(
            si.sampled_entity_id.label("entity_id"),
            func.min(si.sampled_unit_name).label("unit_name"),
            func.count().label("samples"),
            failed.label("failed"),
        )
        .where(
            si.town_code == town_code,
            si.category_code == category_code,
            si.sampling_date >= date_from,
            si.sampling_date <= date_to,
        )
        .group_by(si.sampled_entity_id, unmatched_name)
        .subquery()
    )
    rows = session.execute(
        select(
            MarketEntity.uscc,
            func.coalesce(MarketEntity.name, inner.c.unit_name),
            inner.c.samples,
            inner.c.failed,
        )
        .select_from(inner)
        .outerjoin(MarketEntity, MarketEntity.id == inner.c.entity_id)
        .order_by(inner.c.failed.desc(), inner.c.samples.desc(), inner.c.unit_name)
        .limit(limit + 1)
    ).all()
    out = [EntityRate(r[0], str(r[1]), int(r[2]), int(r[3] or 0)) for r in rows[:limit]]
    return out, len(rows) > limit
