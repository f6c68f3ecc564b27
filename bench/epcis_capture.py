"""Capture throughput: one synthetic 10⁴-event EPCISDocument into SQLite and PostgreSQL.

Run: ``.venv/bin/python bench/epcis_capture.py [N]``.
Prints events/s for parse+validate+hash alone and for the whole capture per backend, against a
named baseline: the same events captured one event per request and transaction (what a client
posting each event to ``POST /epcis/events`` gets), timed on the first 1,000 events.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.db import make_engine, unit_of_work, upgrade
from qcity.epcis import _parallel, service
from tests.pgserver import PostgresServer


def document(n: int, offset: int = 0) -> bytes:
    events = [
        {
            "type": "ObjectEvent",
            "eventTime": f"2024-05-01T08:{(i // 60) % 60:02d}:{i % 60:02d}+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "epcList": [f"urn:epc:id:sgtin:6901234.012345.{i}{s}" for s in ("", "A")],
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
            "bizTransactionList": [
                {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:6901234000016:{i}"}
            ],
        }
        for i in range(offset, offset + n)
    ]  # fmt: skip
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-05-01T00:00:00Z",
            "epcisBody": {"eventList": events},
        }
    ).encode()  # fmt: skip


BASELINE_EVENTS = 1_000


def run(url: str, data: bytes, n: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        job = service.capture(session, data)
    elapsed = time.perf_counter() - start
    assert job.job.events_captured == n
    engine.dispose()
    return n / elapsed


def run_one_by_one(url: str) -> float:
    """The baseline: one single-event document per transaction."""
    engine = make_engine(url)
    upgrade(engine)
    singles = [document(1, offset=i) for i in range(BASELINE_EVENTS)]
    start = time.perf_counter()
    for single in singles:
        with unit_of_work(engine) as session:
            service.capture(session, single)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return BASELINE_EVENTS / elapsed


def report(backend: str, rate: float, baseline: float, n: int) -> None:
    ratio = rate / baseline
    print(f"capture into {backend:<10}: {rate:>8,.0f} events/s ({n} events); "
          f"one-by-one baseline {baseline:>6,.0f} events/s; ratio {ratio:.1f}x")  # fmt: skip


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = document(n)
    for workers in (1, 2, 1, 2):  # alternated: the second round runs with warm caches
        start = time.perf_counter()
        parsed = service.parse(data)
        service.check_and_prepare(parsed, service.dt.datetime.now(service.dt.UTC), workers=workers)
        label = f"{_parallel.workers_for(n, workers)} process(es)"
        print(
            f"parse+validate+hash only, {label}: {n / (time.perf_counter() - start):,.0f} events/s"
        )
    with tempfile.TemporaryDirectory() as folder:
        rate = run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", data, n)
        baseline = run_one_by_one(f"sqlite:///{Path(folder) / 'baseline.sqlite3'}")
        report("SQLite", rate, baseline, n)
    server = PostgresServer()
    try:
        admin = server.start()
        admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as connection:
            for name in ("qcity_bench", "qcity_baseline"):
                connection.execute(text(f"CREATE DATABASE {name}"))
        admin_engine.dispose()
        rate = run(server.url("qcity_bench"), data, n)
        baseline = run_one_by_one(server.url("qcity_baseline"))
        report("PostgreSQL", rate, baseline, n)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
