"""Pass-rate query speed: the DuckDB mart against PostgreSQL and SQLite on the same rows.

Generates 10⁷ seeded fact rows (35 Dongguan towns, 80 inspection categories over the five
domains, 36 months 2023-01..2025-12, 3 task sources, 4 entity size classes), loads them into
a DuckDB mart (fact_inspection and its monthly rollups, as `qcity analytics rebuild` builds
them), into PostgreSQL and into SQLite, then runs the same Ibis pass-rate
expression by town × category × month (with the previous month's rate alongside) on each.

Baseline: the same query on PostgreSQL over the same fact rows (the production database).
Target: under 200 ms from the mart (best of --runs).

Run: .venv/bin/python bench/inspection_query.py [--rows 10000000] [--runs 5] [--seed 2025]
PostgreSQL: QCITY_DATABASE_URL if it is PostgreSQL (tables go to schema qcity_bench, dropped
afterwards), else a temporary server as tests/pgserver.py starts it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.analytics import mart, service
from qcity.analytics.queries import PassRateQuery, compile_for, pass_rate_expr
from qcity.db.engine import parse_database_url
from tests.pgserver import PostgresServer

TOWNS_CSV = Path(__file__).parents[1] / "src/qcity/registry/data/dongguan_towns.csv"
DOMAINS = ("food", "agri", "manufactured", "consumer", "construction")
# share of categories per domain (of 80) and base failure rate per domain
DOMAIN_CATEGORIES = {"food": 34, "agri": 10, "manufactured": 20, "consumer": 10, "construction": 6}
FAILURE = {
    "food": 0.025,
    "agri": 0.015,
    "manufactured": 0.06,
    "consumer": 0.05,
    "construction": 0.04,
}
SIZE_FACTOR = {"large": 0.2, "medium": 0.5, "small": 1.5, "micro": 2.0}
SOURCES = ("国家监督抽检", "省级监督抽检", "市级监督抽检")
QUERY = PassRateQuery.parse(by="town,category,period", period_unit="month")


def generate(rows: int, seed: int) -> pa.Table:
    """Seeded fact rows with the mart's columns (FACT_ARROW)."""
    rng = np.random.default_rng(seed)
    with TOWNS_CSV.open(encoding="utf-8") as handle:
        towns = np.array([r["code"] for r in csv.DictReader(handle)][:35])
    categories, cat_domain, cat_industry = [], [], []
    for domain, count in DOMAIN_CATEGORIES.items():
        for i in range(count):
            categories.append(f"{domain[:3].upper()}{i + 1:03d}")
            cat_domain.append(domain)
            cat_industry.append(f"{13 + (len(categories) % 31)}" if domain == "manufactured"
                                or domain == "consumer" else None)  # fmt: skip
    town_i = rng.zipf(1.6, rows) % len(towns)  # unequal town volumes
    cat_i = rng.integers(0, len(categories), rows)
    month_i = rng.integers(0, 36, rows)
    day = rng.integers(1, 29, rows)
    year = (2023 + month_i // 12).astype(np.int16)
    month = (month_i % 12 + 1).astype(np.int16)
    sizes = np.array(list(SIZE_FACTOR))
    size_i = rng.choice(4, rows, p=[0.05, 0.15, 0.5, 0.3])
    domain = np.array(cat_domain)[cat_i]
    p_fail = (
        np.array([FAILURE[d] for d in cat_domain])[cat_i]
        * np.array(list(SIZE_FACTOR.values()))[size_i]
    )
    failed = (rng.random(rows) < p_fail).astype(np.int8)
    dates = (
        (year.astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (month.astype("int64") - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    industry = np.array(cat_industry, dtype=object)[cat_i]
    return pa.table(
        {
            "id": np.arange(1, rows + 1, dtype=np.int64),
            "sampling_date": pa.array(dates),
            "year": year,
            "quarter": ((month - 1) // 3 + 1).astype(np.int16),
            "month": month,
            "town_code": pa.array(towns[town_i]),
            "category_code": pa.array(np.array(categories)[cat_i]),
            "domain": pa.array(domain),
            "industry_code": pa.array(industry, type=pa.string()),
            "task_source": pa.array(np.array(SOURCES)[rng.integers(0, 3, rows)]),
            "size_class": pa.array(sizes[size_i]),
            "verdict": pa.array(np.where(failed == 1, "fail", "pass")),
            "failed": failed,
            "imported_at": pa.nulls(rows, pa.timestamp("us")),
        },
        schema=mart.FACT_ARROW,
    )


def best_of(runs: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def checksum(rows: list[tuple[Any, ...]]) -> tuple[int, int, int, int]:
    """Groups, samples, failures and previous-month samples: the same on every engine."""
    return (
        len(rows),
        sum(int(r[-4]) for r in rows),
        sum(int(r[-3]) for r in rows),
        sum(int(r[-2] or 0) for r in rows),
    )


def load_duckdb(table: pa.Table, path: Path) -> float:
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    con.execute(mart.FACT_DDL.replace(" PRIMARY KEY", ""))
    con.register("_facts", table)
    con.execute("INSERT INTO fact_inspection SELECT * FROM _facts")
    con.unregister("_facts")
    for name in mart.ROLLUPS:
        con.execute(mart.rollup_sql(name))
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


PG_DDL = """
CREATE TABLE fact_inspection (
    id BIGINT, sampling_date DATE, year SMALLINT, quarter SMALLINT, month SMALLINT,
    town_code TEXT, category_code TEXT, domain TEXT, industry_code TEXT, task_source TEXT,
    size_class TEXT, verdict TEXT, failed SMALLINT, imported_at TIMESTAMP
)
"""


def load_postgres(table: pa.Table, dsn: str, schema: str | None) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        if schema:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {schema}")
            conn.execute(f"SET search_path TO {schema}")
        conn.execute(PG_DDL)
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY fact_inspection FROM STDIN (FORMAT csv, HEADER false)") as copy,
        ):
            for batch in table.to_batches(max_chunksize=500_000):
                buffer = io.BytesIO()
                pacsv.write_csv(pa.Table.from_batches([batch]), buffer,
                                pacsv.WriteOptions(include_header=False))  # fmt: skip
                copy.write(buffer.getvalue())
        for name in mart.ROLLUPS:
            conn.execute(mart.rollup_sql(name))
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def load_sqlite(table: pa.Table, path: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(PG_DDL.replace("BIGINT", "INTEGER"))
    names = table.column_names
    insert = f"INSERT INTO fact_inspection VALUES ({', '.join('?' for _ in names)})"
    for batch in table.to_batches(max_chunksize=200_000):
        columns = [batch.column(i).to_pylist() for i in range(len(names))]
        dates = [d.isoformat() for d in columns[1]]
        columns[1] = dates
        conn.executemany(insert, zip(*columns, strict=True))
    for name in mart.ROLLUPS:
        conn.execute(mart.rollup_sql(name))
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slow-runs", type=int, default=2, help="Runs on PostgreSQL/SQLite.")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--engines", default="duckdb,postgresql,sqlite")
    args = parser.parse_args()
    engines = set(args.engines.split(","))

    print(
        f"pass rate by town × category × month, {args.rows:,} seeded fact rows "
        f"(seed {args.seed}), best of {args.runs} (DuckDB) / {args.slow_runs} (others)"
    )
    started = time.perf_counter()
    table = generate(args.rows, args.seed)
    print(f"generated in {time.perf_counter() - started:.1f} s")

    configured = os.environ.get("QCITY_DATABASE_URL", "")
    server = None
    schema: str | None = None
    dsn = ""
    if "postgresql" not in engines:
        pass
    elif configured.startswith(("postgresql", "postgres")):
        url = parse_database_url(configured)
        schema = "qcity_bench"
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    else:
        server = PostgresServer()
        url = parse_database_url(server.start())
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)

    results: list[tuple[str, str, int, float, float, tuple[int, int, int, int]]] = []
    with tempfile.TemporaryDirectory(prefix="qcity-bench-") as workdir:
        try:
            duck_path = Path(workdir) / "analytics.duckdb"
            sqlite_path = Path(workdir) / "facts.sqlite3"
            print(f"loaded DuckDB mart in {load_duckdb(table, duck_path):.1f} s")
            if dsn:
                print(f"loaded PostgreSQL in {load_postgres(table, dsn, schema):.1f} s")
            if "sqlite" in engines:
                print(f"loaded SQLite in {load_sqlite(table, sqlite_path):.1f} s")
            del table

            con = duckdb.connect(str(duck_path), read_only=True)
            tables = [(name, con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0])
                      for name in (*mart.ROLLUPS, "fact_inspection")]  # fmt: skip
            print(f"mart query reads {mart.choose_table(QUERY)} (smallest table that answers)")
            for name, n in tables:
                sql = compile_for(pass_rate_expr(mart.mart_table(name), QUERY), "duckdb")
                seconds, arrow = best_of(args.runs, lambda s=sql: con.sql(s).to_arrow_table())
                columns = [arrow.column(i).to_pylist() for i in range(arrow.num_columns)]
                rows = list(zip(*columns, strict=True))
                full, _ = best_of(
                    args.runs, lambda t=name: service.pass_rates_from_mart(con, QUERY, t)
                )
                results.append(("DuckDB mart", name, n, seconds, full, checksum(rows)))
            con.close()

            import psycopg

            with (
                contextlib.nullcontext()
                if not dsn
                else psycopg.connect(dsn, autocommit=True) as conn
            ):
                for name, n in tables if conn is not None else ():
                    if schema:
                        conn.execute(f"SET search_path TO {schema}")
                    sql = compile_for(pass_rate_expr(mart.mart_table(name), QUERY), "postgres")
                    seconds, rows = best_of(
                        args.slow_runs, lambda s=sql: conn.execute(s).fetchall()
                    )
                    results.append(("PostgreSQL", name, n, seconds, float("nan"), checksum(rows)))
                if conn is not None and schema:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")

            lite = sqlite3.connect(sqlite_path)
            for name, n in tables if "sqlite" in engines else ():
                sql = compile_for(pass_rate_expr(mart.mart_table(name), QUERY), "sqlite")
                seconds, rows = best_of(args.slow_runs, lambda s=sql: lite.execute(s).fetchall())
                results.append(("SQLite", name, n, seconds, float("nan"), checksum(rows)))
            lite.close()
        finally:
            if server is not None:
                server.stop()

    baseline = {name: s for engine, name, _n, s, _f, _c in results if engine == "PostgreSQL"}
    chosen = mart.choose_table(QUERY)
    duck_best = next(
        s for e, name, _n, s, _f, _c in results if e == "DuckDB mart" and name == chosen
    )
    print()
    print(f"{'engine':<12} {'table':<24} {'rows read':>11} {'query ms':>10} "
          f"{'+Wilson ms':>11} {'vs PostgreSQL':>14} {'vs mart':>9}")  # fmt: skip
    for engine, name, n, seconds, full, _c in results:
        extra = f"{1000 * full:>11.1f}" if full == full else f"{'':>11}"
        vs_pg = f"{baseline[name] / seconds:>13.1f}×" if name in baseline else f"{'—':>14}"
        print(f"{engine:<12} {name:<24} {n:>11,} {1000 * seconds:>10.1f} {extra} "
              f"{vs_pg} {seconds / duck_best:>8.1f}×")  # fmt: skip
    sums = {c for *_rest, c in results}
    groups, samples, failed, _prev = next(iter(sums))
    print()
    print(f"identical results on every engine and table: {'yes' if len(sums) == 1 else 'NO'} "
          f"({groups:,} groups, {samples:,} samples, {failed:,} failed)")  # fmt: skip
    print(
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    verdict = "PASS" if duck_best < 0.2 else "FAIL"
    print(f"mart query {1000 * duck_best:.1f} ms against the 200 ms target: {verdict}")


if __name__ == "__main__":
    main()
