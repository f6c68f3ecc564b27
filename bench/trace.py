"""Trace bench: capture rate, trace latency against a recursive CTE, recall spreadsheet time.

A seeded five-tier chain (farms → processors → distributors → wholesalers → retailers): farm lots
commissioned, shipped and received; processors transform two farm lots into a product lot,
pack it on a pallet (SSCC) and ship it to a distributor, who unpacks it and ships parts to
wholesalers, who ship parts on to retailers. About 35 events per production run.

Measured on SQLite and PostgreSQL:

* validated capture (the epcis service: parse, validate, CBV hash, bulk store) on
  ``min(N, --validated)`` events, and raw bulk storage (``trace.repository.insert_events``:
  COPY / executemany, indexes deferred) of all N events, in events per second;
* building the in-memory graph from the database, saving and loading the ``.npz`` index;
* forward and backward trace p50/p99 over ``--lots`` random lots (graph, in memory), side by
  side with a recursive CTE on PostgreSQL over the same rows (baseline) and the ratio;
* the recall spreadsheet (KDE rows + xlsx) for a five-tier forward scope.

Run: .venv/bin/python bench/trace.py [--events 10000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.db import make_engine, unit_of_work, upgrade
from qcity.db.bulk import deferred_indexes
from qcity.epcis import service as epcis_service
from qcity.epcis.models import EpcisBizTransaction, EpcisEvent, EpcisEventObject, EpcisEventParty
from qcity.trace import _spreadsheet, repository
from qcity.trace import service as trace_service
from qcity.trace._demo import Emitter, Party, _ship_receive
from qcity.trace.repository import cast_table
from qcity.tracegraph import TraceGraph
from tests.pgserver import PostgresServer

START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CHUNK_RUNS = 3000

FORWARD_CTE = """
WITH RECURSIVE reach(identifier, t) AS (
    SELECT CAST(:root AS varchar), CAST('-infinity' AS timestamptz)
  UNION
    SELECT o2.identifier, e.event_time
    FROM reach r
    JOIN epcis_event_object o1 ON o1.identifier = r.identifier AND o1.role IN ('input', 'child')
    JOIN epcis_event e ON e.id = o1.event_pk AND e.event_time >= r.t
    JOIN epcis_event_object o2 ON o2.event_pk = o1.event_pk
     AND o2.role = CASE o1.role WHEN 'input' THEN 'output' ELSE 'parent' END
)
SELECT DISTINCT o.event_pk
FROM reach r
JOIN epcis_event_object o ON o.identifier = r.identifier
JOIN epcis_event e ON e.id = o.event_pk AND e.event_time >= r.t
"""
BACKWARD_CTE = """
WITH RECURSIVE reach(identifier, t) AS (
    SELECT CAST(:root AS varchar), CAST('infinity' AS timestamptz)
  UNION
    SELECT o2.identifier, e.event_time
    FROM reach r
    JOIN epcis_event_object o1 ON o1.identifier = r.identifier AND o1.role IN ('output', 'child')
    JOIN epcis_event e ON e.id = o1.event_pk AND e.event_time <= r.t
    JOIN epcis_event_object o2 ON o2.event_pk = o1.event_pk
     AND o2.role = CASE o1.role WHEN 'output' THEN 'input' ELSE 'parent' END
)
SELECT DISTINCT o.event_pk
FROM reach r
JOIN epcis_event_object o ON o.identifier = r.identifier
JOIN epcis_event e ON e.id = o.event_pk AND e.event_time <= r.t
"""


def tiers(rng: random.Random) -> dict[str, list[Party]]:
    sizes = {"farm": 400, "proc": 60, "dist": 40, "whole": 150, "retail": 2000}
    out: dict[str, list[Party]] = {}
    serial = 0
    for role, n in sizes.items():
        out[role] = []
        for _ in range(n):
            serial += 1
            out[role].append(
                Party(f"BENCH{serial:013d}", "441900003000", f"69{4_000_000 + serial:07d}")
            )
    return out


def run_events(out: Emitter, rng: random.Random, p: dict[str, list[Party]], run: int) -> list[str]:
    """One production run (~35 events); returns its farm lots."""
    day = START + dt.timedelta(minutes=run * 7)
    proc = rng.choice(p["proc"])
    farm_lots = []
    inputs = []
    for k in range(2):
        farm = rng.choice(p["farm"])
        lot = farm.lgtin(1 + k, f"R{run}K{k}")
        farm_lots.append(lot)
        q = float(rng.randint(20, 80) * 10)
        out.emit("ObjectEvent", day, action="ADD", step="commissioning", disposition="active",
                 location=farm.sgln, quantities=((lot, q, "KGM"),))  # fmt: skip
        _ship_receive(out, day + dt.timedelta(hours=1), farm, proc, ((lot, q, "KGM"),), (), run)
        inputs.append((lot, q, "KGM"))
    t = day + dt.timedelta(hours=6)
    product = proc.lgtin(1, f"P{run}")
    made = round(sum(q for _, q, _ in inputs) * 0.8, 1)
    made_q = ((product, made, "KGM"),)
    out.emit("TransformationEvent", t, step="commissioning", disposition="active",
             location=proc.sgln, inputs=tuple(inputs), outputs=made_q)  # fmt: skip
    pallet = proc.sscc(run)
    part = ((product, made, "KGM"),)
    out.emit("AggregationEvent", t + dt.timedelta(hours=1), action="ADD", step="packing",
             disposition="active", location=proc.sgln, parent=pallet,
             child_quantities=part)  # fmt: skip
    dist = rng.choice(p["dist"])
    arrive = _ship_receive(out, t + dt.timedelta(hours=2), proc, dist, part, (pallet,), run)
    out.emit("AggregationEvent", arrive + dt.timedelta(hours=1), action="DELETE",
             step="unpacking", disposition="active", location=dist.sgln, parent=pallet,
             child_quantities=part)  # fmt: skip
    t = arrive + dt.timedelta(hours=2)
    for w in range(3):
        whole = rng.choice(p["whole"])
        share = round(made / 3, 1)
        got = _ship_receive(out, t + dt.timedelta(hours=w), dist, whole,
                            ((product, share, "KGM"),), (), run)  # fmt: skip
        for r in range(3):
            shop = rng.choice(p["retail"])
            _ship_receive(out, got + dt.timedelta(hours=1 + r), whole, shop,
                          ((product, round(share / 3, 1), "KGM"),), (), run)  # fmt: skip
    return farm_lots


def generate(n_events: int, seed: int) -> tuple[list[Emitter], list[str], list[str]]:
    rng = random.Random(seed)
    p = tiers(rng)
    chunks: list[Emitter] = []
    farm_lots: list[str] = []
    products: list[str] = []
    out = Emitter()
    run = 0
    total = 0
    while total < n_events:
        farm_lots += run_events(out, rng, p, run)
        run += 1
        if run % CHUNK_RUNS == 0 or total + len(out.events) >= n_events:
            total += len(out.events)
            chunks.append(out)
            out = Emitter(serial=out.serial)
    products = []
    for chunk in chunks:
        for ev in chunk.events:
            if ev.event_type == "TransformationEvent":
                products.extend(o[1] for o in ev.objects if o[0] == "output")
    return chunks, farm_lots, products


def fresh_url(backend: str, server: PostgresServer | None, name: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    assert server is not None
    admin = make_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.url(name)


def validated_capture(engine: Engine, chunks: list[Emitter], limit: int) -> tuple[int, float]:
    """Capture ``limit`` events through the epcis service, 1,000 per document."""
    events = [json.loads(e.document) for chunk in chunks for e in chunk.events][:limit]
    started = time.perf_counter()
    for i in range(0, len(events), 1000):
        doc = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2025-01-01T00:00:00Z",
            "epcisBody": {"eventList": events[i : i + 1000]},
        }  # fmt: skip
        with unit_of_work(engine) as session:
            epcis_service.capture(session, json.dumps(doc).encode(), "application/ld+json")
    return len(events), time.perf_counter() - started


def raw_store(engine: Engine, chunks: list[Emitter]) -> tuple[int, float]:
    started = time.perf_counter()
    stored = 0
    with engine.begin() as connection, ExitStack() as stack:
        for model in (EpcisEvent, EpcisEventObject, EpcisEventParty, EpcisBizTransaction):
            stack.enter_context(deferred_indexes(connection, cast_table(model)))
        for chunk in chunks:
            stored += repository.insert_events(connection, chunk.events)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return stored, time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    a = np.array(samples) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def bench_backend(backend: str, url: str, args: argparse.Namespace, data: tuple) -> dict:  # type: ignore[type-arg]
    chunks, farm_lots, products = data
    result: dict[str, float | str] = {"backend": backend}
    engine = make_engine(url)
    upgrade(engine)
    n, seconds = raw_store(engine, chunks)
    result["raw_events"], result["raw_eps"] = n, n / seconds
    print(
        f"[{backend}] raw bulk storage: {n:,} events in {seconds:.1f} s "
        f"= {n / seconds:,.0f} events/s",
        flush=True,
    )

    vurl = fresh_url(backend, args.server, "bench_trace_v", args.workdir)
    vengine = make_engine(vurl)
    upgrade(vengine)
    vn, vs = validated_capture(vengine, chunks, args.validated)
    vengine.dispose()
    result["validated_events"], result["validated_eps"] = vn, vn / vs
    print(
        f"[{backend}] validated capture: {vn:,} events in {vs:.1f} s = {vn / vs:,.0f} events/s",
        flush=True,
    )

    trace_service.forget_index()
    with unit_of_work(engine) as session:
        started = time.perf_counter()
        graph = trace_service.trace_graph(session)
        build = time.perf_counter() - started
    print(f"[{backend}] graph build from the database: {build:.1f} s "
          f"({graph.node_count:,} nodes, {graph.row_count:,} rows)", flush=True)  # fmt: skip
    npz = args.workdir / f"{backend}.npz"
    started = time.perf_counter()
    graph.save(npz)
    saved = time.perf_counter() - started
    started = time.perf_counter()
    loaded, _ = TraceGraph.load(npz)
    load = time.perf_counter() - started
    print(f"[{backend}] index save {saved:.1f} s, load {load:.1f} s "
          f"({npz.stat().st_size / 1e6:,.0f} MB)", flush=True)  # fmt: skip
    rng = random.Random(7)
    roots_f = rng.sample(farm_lots, min(args.lots, len(farm_lots)))
    roots_b = rng.sample(products, min(args.lots, len(products)))
    fwd, bwd, reach = [], [], []
    for root in roots_f:
        t = time.perf_counter()
        r = loaded.forward(root)
        fwd.append(time.perf_counter() - t)
        reach.append(len(r.events))
    for root in roots_b:
        t = time.perf_counter()
        loaded.backward(root)
        bwd.append(time.perf_counter() - t)
    result["fwd"], result["bwd"] = percentiles(fwd), percentiles(bwd)  # type: ignore[assignment]
    print(f"[{backend}] graph forward p50/p99 {result['fwd'][0]:.3f}/{result['fwd'][1]:.3f} ms, "  # type: ignore[index]
          f"backward {result['bwd'][0]:.3f}/{result['bwd'][1]:.3f} ms "  # type: ignore[index]
          f"(mean {np.mean(reach):.0f} events reached)", flush=True)  # fmt: skip

    # the five-tier recall spreadsheet (forward from a farm lot, through every tier)
    with unit_of_work(engine) as session:
        started = time.perf_counter()
        out, res = trace_service.trace(session, roots_f[0], "forward")
        kde = _spreadsheet.kde_rows(session, res.events, out.lots)
        lots = _spreadsheet.lot_rows(session, out.lots)
        _spreadsheet.write(args.workdir / f"{backend}.xlsx", kde, lots)
        sheet = time.perf_counter() - started
    result["sheet"] = sheet
    print(f"[{backend}] recall spreadsheet (5 tiers, {len(kde)} KDE rows, {len(lots)} lots): "
          f"{sheet * 1000:.0f} ms", flush=True)  # fmt: skip

    if backend == "postgresql":
        cte_f, cte_b = [], []
        k = min(args.cte_lots, len(roots_f))
        with engine.connect() as connection:
            for root in roots_f[:k]:
                t = time.perf_counter()
                rows = connection.execute(text(FORWARD_CTE), {"root": root}).all()
                cte_f.append(time.perf_counter() - t)
            for root in roots_b[:k]:
                t = time.perf_counter()
                connection.execute(text(BACKWARD_CTE), {"root": root}).all()
                cte_b.append(time.perf_counter() - t)
        print(f"  (CTE check: last forward reached {len(rows)} events)")
        result["cte_fwd"], result["cte_bwd"] = percentiles(cte_f), percentiles(cte_b)  # type: ignore[assignment]
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--validated", type=int, default=100_000)
    parser.add_argument("--lots", type=int, default=1000)
    parser.add_argument("--cte-lots", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    started = time.perf_counter()
    data = generate(args.events, args.seed)
    n = sum(len(c.events) for c in data[0])
    print(f"generated {n:,} events ({len(data[1]):,} farm lots, {len(data[2]):,} products) "
          f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    backends = args.backends.split(",")
    results = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        args.workdir = Path(tmp)
        args.server = None
        if "postgresql" in backends:
            args.server = PostgresServer()
            args.server.start()
            stack.callback(args.server.stop)
        for backend in backends:
            url = fresh_url(backend, args.server, "bench_trace", args.workdir)
            results.append(bench_backend(backend, url, args, data))
    print(f"\n{n:,} events, {args.lots} random lots; times in ms (p50 / p99)")
    print(f"{'backend':<11}{'raw ev/s':>11}{'valid ev/s':>12}{'fwd graph':>16}{'bwd graph':>16}"
          f"{'fwd CTE':>18}{'bwd CTE':>18}{'ratio p50':>11}{'sheet':>8}")  # fmt: skip
    for r in results:
        f, b = r["fwd"], r["bwd"]
        cf, cb = r.get("cte_fwd"), r.get("cte_bwd")
        ratio = f"{cf[0] / f[0]:,.0f}x" if cf else "-"  # type: ignore[index]
        cte_f = f"{cf[0]:.2f} / {cf[1]:.2f}" if cf else "-"  # type: ignore[index]
        cte_b = f"{cb[0]:.2f} / {cb[1]:.2f}" if cb else "-"  # type: ignore[index]
        print(f"{r['backend']:<11}{r['raw_eps']:>11,.0f}{r['validated_eps']:>12,.0f}"  # type: ignore[str-format]
              f"{f[0]:>8.3f} / {f[1]:.3f}{b[0]:>8.3f} / {b[1]:.3f}{cte_f:>18}{cte_b:>18}"  # type: ignore[index]
              f"{ratio:>11}{r['sheet'] * 1000:>7.0f}")  # type: ignore[operator]  # fmt: skip
    print("ratio = recursive CTE p50 / graph p50 (forward), same roots, PostgreSQL")


if __name__ == "__main__":
    main()
