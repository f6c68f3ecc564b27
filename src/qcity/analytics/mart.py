"""The analytics mart: a DuckDB file built from the inspection records.

Layout (``$QCITY_DATA_DIR/analytics.duckdb``):

- ``fact_inspection``: one row per inspection, denormalised (the columns of
  :data:`qcity.analytics.queries.FACT_COLUMNS` plus ``imported_at``);
- rollups (``ROLLUPS``): samples and failures per month and keys: ``agg_town_category_month``
  (town, category, domain: ~10⁵ rows for 10⁷ inspections) and ``agg_monthly`` (also industry,
  task source, entity size class); a pass-rate query reads the smallest table that answers it;
- ``dim_town``, ``dim_category``, ``dim_industry``: the dimensions, with their names;
- ``mart_meta``: what was loaded (last id, newest ``imported_at``, source, build time).

A rebuild never touches the live file: it builds (or, incrementally, copies and extends) a new
file next to it and ``os.replace``s it, so readers (which open the mart read-only) see the old
mart or the new one, never a half-built one. DuckDB's sqlite/postgres extensions are not used
(they would be downloaded at run time); records are read through SQLAlchemy in chunks and
inserted as Arrow tables.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
from sqlalchemy import Connection, Engine, select, text

from qcity.analytics.queries import PassRateQuery, compile_for, dialect_of, records_facts
from qcity.db.engine import database_label
from qcity.errors import NotFound
from qcity.inspection.models import SamplingInspection
from qcity.settings import get_settings

MART_FILE = "analytics.duckdb"
CHUNK_ROWS = 100_000
SCHEMA_VERSION = 1

FACT_DDL = """
CREATE TABLE fact_inspection (
    id BIGINT PRIMARY KEY,
    sampling_date DATE NOT NULL,
    year SMALLINT NOT NULL,
    quarter SMALLINT NOT NULL,
    month SMALLINT NOT NULL,
    town_code VARCHAR NOT NULL,
    category_code VARCHAR NOT NULL,
    domain VARCHAR NOT NULL,
    industry_code VARCHAR,
    task_source VARCHAR NOT NULL,
    size_class VARCHAR,
    verdict VARCHAR NOT NULL,
    failed TINYINT NOT NULL,
    imported_at TIMESTAMP
)
"""
FACT_ARROW = pa.schema(
    [
        ("id", pa.int64()),
        ("sampling_date", pa.date32()),
        ("year", pa.int16()),
        ("quarter", pa.int16()),
        ("month", pa.int16()),
        ("town_code", pa.string()),
        ("category_code", pa.string()),
        ("domain", pa.string()),
        ("industry_code", pa.string()),
        ("task_source", pa.string()),
        ("size_class", pa.string()),
        ("verdict", pa.string()),
        ("failed", pa.int8()),
        ("imported_at", pa.timestamp("us")),
    ]
)
# Pre-aggregated rollups of fact_inspection: samples and failures per month and keys. A query
# reads the smallest rollup holding every column it groups or filters by (choose_table).
ROLLUPS: dict[str, tuple[str, ...]] = {
    "agg_town_category_month": ("town_code", "category_code", "domain"),
    "agg_monthly": (
        "town_code", "category_code", "domain", "industry_code", "task_source", "size_class",
    ),
}  # fmt: skip


def rollup_sql(name: str) -> str:
    """Portable SQL (DuckDB, PostgreSQL, SQLite) creating rollup ``name`` from the facts."""
    keys = ", ".join((*ROLLUPS[name], "year", "quarter", "month"))
    return (
        f"CREATE TABLE {name} AS SELECT {keys}, count(*) AS samples, sum(failed) AS failed "
        f"FROM fact_inspection GROUP BY {keys}"
    )


META_DDL = """
CREATE TABLE mart_meta (
    schema_version INTEGER, source VARCHAR, last_id BIGINT, last_imported_at TIMESTAMP,
    built_at TIMESTAMP, rows BIGINT, full_builds INTEGER, incremental_builds INTEGER
)
"""
DIMENSIONS = {
    "dim_town": "SELECT code, parent_code, kind, name_zh_hans, name_zh_hant, name_en "
    "FROM org_unit ORDER BY code",
    "dim_category": "SELECT code, domain, parent_code, industry_code, name_zh_hans, "
    "name_zh_hant, name_en FROM inspection_category ORDER BY code",
    "dim_industry": "SELECT code, level, parent_code, name_zh_hans, name_zh_hant, name_en "
    "FROM industry ORDER BY code",
}


def mart_table(name: str) -> ir.Table:
    """An (unbound) Ibis table of the mart: ``fact_inspection`` or one of the ROLLUPS."""
    if name == "fact_inspection":
        return ibis.table(ibis.Schema.from_pyarrow(FACT_ARROW), name=name)
    if name not in ROLLUPS:
        raise ValueError(f"the mart has no table {name!r}")
    columns = dict.fromkeys(ROLLUPS[name], "string")
    columns |= {"year": "int16", "quarter": "int16", "month": "int16"}
    return ibis.table(columns | {"samples": "int64", "failed": "int64"}, name=name)


def choose_table(query: PassRateQuery) -> str:
    """The smallest mart table that can answer ``query`` (rollups hold whole months only)."""
    f = query.filters
    if query.failure_verdicts != ("fail",) or f.date_from or f.date_to:
        return "fact_inspection"
    needed = set(query.dimension_columns)
    for values, column in (
        (f.domains, "domain"), (f.categories, "category_code"), (f.task_sources, "task_source"),
        (f.towns, "town_code"), (f.industries, "industry_code"),
    ):  # fmt: skip
        if values:
            needed.add(column)
    for name, columns in ROLLUPS.items():  # smallest first
        if needed <= set(columns):
            return name
    return "fact_inspection"


def mart_path() -> Path:
    """Where the mart lives: ``$QCITY_DATA_DIR/analytics.duckdb``."""
    return get_settings().data_dir / MART_FILE


@dataclass(frozen=True)
class RebuildResult:
    path: Path
    mode: str  # "full" or "incremental"
    loaded: int  # fact rows inserted or replaced by this build
    rows: int  # fact rows in the mart now
    last_id: int | None


@contextmanager
def open_mart(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The mart, read-only; a one-line error when it has not been built."""
    path = path or mart_path()
    if not path.exists():
        raise NotFound(f"no analytics mart at {path}; run `qcity analytics rebuild`")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def rebuild(engine: Engine, path: Path | None = None, *, full: bool = False) -> RebuildResult:
    """Build or extend the mart from the records and swap it in atomically."""
    path = path or mart_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    source = database_label(engine.url)
    meta = None if full else _read_meta(path)
    if meta is not None and (meta["source"] != source or meta["schema_version"] != SCHEMA_VERSION):
        meta = None
    building = path.with_name(f".{path.name}.building-{os.getpid()}")
    _remove(building)
    try:
        if meta is not None:
            shutil.copyfile(path, building)
        con = duckdb.connect(str(building))
        try:
            with engine.connect() as connection:
                if meta is None:
                    con.execute(FACT_DDL)
                    con.execute(META_DDL)
                    loaded = _load_facts(con, connection, after_id=None, changed_since=None)
                    mode = "full"
                else:
                    loaded = _load_facts(
                        con,
                        connection,
                        after_id=meta["last_id"],
                        changed_since=meta["last_imported_at"],
                    )
                    mode = "incremental"
                _load_dimensions(con, connection)
            for name in ROLLUPS:
                con.execute(f"DROP TABLE IF EXISTS {name}")
                con.execute(rollup_sql(name))
            rows, last_id, last_imported = con.execute(
                "SELECT count(*), max(id), max(imported_at) FROM fact_inspection"
            ).fetchone() or (0, None, None)
            counts = (
                (1, 0)
                if mode == "full"
                else (
                    int(meta["full_builds"]) if meta else 0,
                    int(meta["incremental_builds"]) + 1 if meta else 1,
                )
            )
            con.execute("DELETE FROM mart_meta")
            con.execute(
                "INSERT INTO mart_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [SCHEMA_VERSION, source, last_id, last_imported,
                 dt.datetime.now(dt.UTC).replace(tzinfo=None), rows, *counts],
            )  # fmt: skip
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(building, path)
    finally:
        _remove(building)
    return RebuildResult(path=path, mode=mode, loaded=loaded, rows=int(rows), last_id=last_id)


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _read_meta(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        cursor = con.execute("SELECT * FROM mart_meta")
        row = cursor.fetchone()
        if row is None:
            return None
        names = [d[0] for d in cursor.description or []]
        return dict(zip(names, row, strict=True))
    except duckdb.Error:
        return None
    finally:
        con.close()


def _load_facts(
    con: duckdb.DuckDBPyConnection,
    connection: Connection,
    *,
    after_id: int | None,
    changed_since: dt.datetime | None,
) -> int:
    """Insert the fact rows with id > ``after_id`` (all when None) and those re-imported since
    ``changed_since``; returns how many rows were written."""
    facts = records_facts()
    dialect = dialect_of(connection.dialect.name)
    loaded = 0
    if after_id is not None:
        changed = _changed_ids(connection, after_id, changed_since)
        for start in range(0, len(changed), 10_000):
            ids = changed[start : start + 10_000]
            con.execute("DELETE FROM fact_inspection WHERE id IN (SELECT unnest(?))", [ids])
            expr = facts.filter(facts.id.isin(ids))
            loaded += _copy(con, connection, compile_for(expr, dialect))
        expr = facts.filter(facts.id > after_id)
    else:
        expr = facts
    loaded += _copy(con, connection, compile_for(expr.order_by("id"), dialect))
    return loaded


def _changed_ids(
    connection: Connection, after_id: int, changed_since: dt.datetime | None
) -> list[int]:
    """Ids already loaded whose records were re-imported after the last build."""
    if changed_since is None:
        return []
    since = changed_since
    if connection.dialect.name == "postgresql":
        since = since.replace(tzinfo=dt.UTC)
    si = SamplingInspection
    query = select(si.id).where(si.id <= after_id, si.imported_at > since).order_by(si.id)
    return [int(i) for i in connection.execute(query).scalars()]


def _copy(con: duckdb.DuckDBPyConnection, connection: Connection, sql: str) -> int:
    result = connection.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
        text(sql)
    )
    names = list(result.keys())
    total = 0
    for partition in result.partitions(CHUNK_ROWS):
        columns = list(zip(*partition, strict=True))
        data = {name: list(col) for name, col in zip(names, columns, strict=True)}
        batch = pa.table(
            {f.name: _array(data.get(f.name), f.type, len(partition)) for f in FACT_ARROW}
        )
        con.register("_batch", batch)
        con.execute("INSERT INTO fact_inspection SELECT * FROM _batch")
        con.unregister("_batch")
        total += len(partition)
    return total


def _array(values: list[Any] | None, kind: pa.DataType, length: int) -> pa.Array:
    if values is None:
        return pa.nulls(length, type=kind)
    if kind == pa.date32():
        values = [_as_date(v) for v in values]
    elif kind == pa.timestamp("us"):
        values = [_as_utc_naive(v) for v in values]
    elif pa.types.is_integer(kind):
        values = [None if v is None else int(v) for v in values]
    return pa.array(values, type=kind)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _as_utc_naive(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    result: dt.datetime = value
    return result


def _load_dimensions(con: duckdb.DuckDBPyConnection, connection: Connection) -> None:
    for table, sql in DIMENSIONS.items():
        result = connection.execute(text(sql))
        names = list(result.keys())
        rows = result.all()
        data = {n: [row[i] for row in rows] for i, n in enumerate(names)}
        batch = pa.table({n: pa.array(v, type=pa.string()) for n, v in data.items()})
        con.register("_dim", batch)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _dim")
        con.unregister("_dim")
