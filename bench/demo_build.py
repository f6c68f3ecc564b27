"""Demo-city build speed: entities per second for `small` and `city`, on SQLite and PostgreSQL.

`seconds` is the whole `qcity demo build` (market entities, three years of inspections and the
EPCIS supply chains); `entities/s` divides the entities by that whole time, so it understates the
entity load itself. Baseline: the same generated entity rows inserted the ordinary way (one ORM
object per entity, a flush every 1,000), timed on 20,000 rows. The ratio is ours over it.

Run: .venv/bin/python bench/demo_build.py [--scales small,city] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.db import make_engine, unit_of_work, upgrade
from qcity.demo._entities import ENTITY_COLUMNS, Town, generate_entities
from qcity.demo.service import ENTITIES_AT_SCALE, Scale, build_demo
from qcity.registry import repository, service
from qcity.registry.models import MarketEntity
from tests.pgserver import PostgresServer

BASELINE_ROWS = 20_000


def fresh_url(backend: str, server: PostgresServer | None, name: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    assert server is not None
    admin = make_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.url(name)


def ours(url: str, scale: Scale) -> float:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    build_demo(engine, scale, seed=2024)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def baseline(url: str) -> float:
    """Per-row ORM inserts of the same generated rows (after towns and industries exist)."""
    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(engine) as session:
        service.load_towns(session, service.packaged_file("dongguan_towns.csv"), service.DONGGUAN)
        service.load_industries(session)
        towns = [Town(t.code, t.name_zh_hans) for t in repository.towns(session)]
    rows = generate_entities(np.random.default_rng(1), towns, 0, BASELINE_ROWS, "441900")
    started = time.perf_counter()
    with Session(engine) as session:
        for i, row in enumerate(rows, start=1):
            fields = dict(zip(ENTITY_COLUMNS, row, strict=True))
            fields["registered_on"] = dt.date.fromisoformat(fields["registered_on"])
            session.add(MarketEntity(**fields))
            if i % 1000 == 0:
                session.flush()
        session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="small,city")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    server = PostgresServer() if "postgresql" in backends else None
    if server:
        server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            print(f"{'backend':<11} {'scale':<6} {'entities':>10} {'seconds':>8} {'entities/s':>11}"
                  f" {'baseline/s':>11} {'ratio':>6}")  # fmt: skip
            for backend in backends:
                base_s = baseline(fresh_url(backend, server, "bench_baseline", workdir))
                base_rate = BASELINE_ROWS / base_s
                for scale_name in args.scales.split(","):
                    scale = Scale(scale_name)
                    n = ENTITIES_AT_SCALE[scale]
                    seconds = ours(
                        fresh_url(backend, server, f"bench_{scale_name}", workdir), scale
                    )
                    rate = n / seconds
                    ratio = rate / base_rate
                    print(f"{backend:<11} {scale_name:<6} {n:>10,} {seconds:>8.1f} {rate:>11,.0f}"
                          f" {base_rate:>11,.0f} {ratio:>5.1f}x", flush=True)  # fmt: skip
            print(
                f"baseline: per-row ORM inserts, a flush every 1,000 rows ({BASELINE_ROWS:,} rows)"
            )
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
