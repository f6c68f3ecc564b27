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
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.db import make_engine, unit_of_work, upgrade
from qcity.db.bulk import deferred_indexes
from qcity.epcis import service as epcis_service
from qcity.epcis.models import EpcisBizTransaction, EpcisEvent, EpcisEventObject, EpcisEventParty
from qcity.trace import _spreadsheet, repository
from qcity.trace import service as trace_service
from qcity.trace._demo import Emitter, Party, _ship_receive, fast_hash
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


class Chain:
    """The generated chain, regenerated chunk by chunk (same seed, same events): 10⁷ events never
    sit in memory at once. The first full pass records the farm lots and products (trace roots).
    """

    def __init__(self, n_events: int, seed: int, deep: int, depth: int) -> None:
        self.n_events, self.seed, self.deep, self.depth = n_events, seed, deep, depth
        self.farm_lots: list[str] = []
        self.products: list[str] = []
        self.deep_heads: list[str] = []
        self.deep_tails: list[str] = []
        self.count = 0

    def chunks(self) -> Iterator[Emitter]:
        rng = random.Random(self.seed)
        p = tiers(rng)
        record = not self.count
        out = Emitter(hasher=fast_hash)
        run = total = 0
        while total + len(out.events) < self.n_events:
            lots = run_events(out, rng, p, run)
            if record:
                self.farm_lots += lots
                self.products.append(p_lot(out))
            run += 1
            if run % CHUNK_RUNS == 0:
                total += len(out.events)
                yield out
                out = Emitter(serial=out.serial, hasher=fast_hash)
        yield self.deep_chains(out, p)
        total += len(out.events)
        if record:
            self.count = total

    def deep_chains(self, out: Emitter, p: dict[str, list[Party]]) -> Emitter:
        """Rework chains: a lot transformed ``depth`` times in a row (repackaging), ``deep`` of
        them; the deep case for the CTE comparison (one recursion step per transformation)."""
        for c in range(self.deep):
            proc = p["proc"][c % len(p["proc"])]
            t = START + dt.timedelta(days=400, minutes=c)
            lot = proc.lgtin(9, f"D{c}L0")
            out.emit("ObjectEvent", t, action="ADD", step="commissioning", disposition="active",
                     location=proc.sgln, quantities=((lot, 100.0, "KGM"),))  # fmt: skip
            if not self.count:
                self.deep_heads.append(lot)
            for d in range(1, self.depth + 1):
                nxt = proc.lgtin(9, f"D{c}L{d}")
                out.emit("TransformationEvent", t + dt.timedelta(minutes=d), step="repackaging",
                         disposition="active", location=proc.sgln,
                         inputs=((lot, 100.0, "KGM"),), outputs=((nxt, 100.0, "KGM"),))  # fmt: skip
                lot = nxt
            if not self.count:
                self.deep_tails.append(lot)
        return out


def p_lot(out: Emitter) -> str:
    """The product lot of the run just emitted (its transformation's output)."""
    for ev in reversed(out.events):
        if ev.event_type == "TransformationEvent":
            return next(o[1] for o in ev.objects if o[0] == "output")
    raise AssertionError("a run has a transformation")


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


def validated_capture(engine: Engine, chain: Chain, limit: int) -> tuple[int, float]:
    """Capture ``limit`` events through the epcis service, 1,000 per document."""
    events: list[dict[str, object]] = []
    for chunk in chain.chunks():
        events += [json.loads(e.document) for e in chunk.events[: limit - len(events)]]
        if len(events) >= limit:
            break
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


def raw_store(engine: Engine, chain: Chain) -> tuple[int, float]:
    """Store every event, generated chunk by chunk; the time excludes generating them."""
    stored, storing = 0, 0.0
    with ExitStack() as outer:
        connection = outer.enter_context(engine.begin())
        with ExitStack() as stack:
            for model in (EpcisEvent, EpcisEventObject, EpcisEventParty, EpcisBizTransaction):
                stack.enter_context(deferred_indexes(connection, cast_table(model)))
            for chunk in chain.chunks():
                started = time.perf_counter()
                stored += repository.insert_events(connection, chunk.events)
                storing += time.perf_counter() - started
            started = time.perf_counter()  # the deferred index builds
        storing += time.perf_counter() - started
        started = time.perf_counter()  # the commit
    storing += time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    return stored, storing


def percentiles(samples: list[float]) -> tuple[float, float]:
    a = np.array(samples) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def bench_backend(backend: str, url: str, args: argparse.Namespace, chain: Chain) -> dict:  # type: ignore[type-arg]
    result: dict[str, float | str] = {"backend": backend}
    engine = make_engine(url)
    upgrade(engine)
    n, seconds = raw_store(engine, chain)
    result["raw_events"], result["raw_eps"] = n, n / seconds
    print(
        f"[{backend}] raw bulk storage: {n:,} events in {seconds:.1f} s "
        f"= {n / seconds:,.0f} events/s",
        flush=True,
    )

    vurl = fresh_url(backend, args.server, "bench_trace_v", args.workdir)
    vengine = make_engine(vurl)
    upgrade(vengine)
    vn, vs = validated_capture(vengine, chain, args.validated)
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
    roots = {
        "shallow": (rng.sample(chain.farm_lots, min(args.lots, len(chain.farm_lots))),
                    rng.sample(chain.products, min(args.lots, len(chain.products)))),
        "deep": (chain.deep_heads, chain.deep_tails),
    }  # fmt: skip
    for kind, (forward_roots, backward_roots) in roots.items():
        fwd, reach = timed(lambda root: loaded.forward(root), forward_roots)
        bwd, _ = timed(lambda root: loaded.backward(root), backward_roots)
        result[f"{kind}_fwd"], result[f"{kind}_bwd"] = fwd, bwd  # type: ignore[assignment]
        print(f"[{backend}] {kind} graph forward p50/p99 {fwd[0]:.3f}/{fwd[1]:.3f} ms, "
              f"backward {bwd[0]:.3f}/{bwd[1]:.3f} ms (mean {reach:.0f} events reached "
              f"forward)", flush=True)  # fmt: skip

    # the five-tier recall spreadsheet (forward from a farm lot, through every tier): once cold
    # (first in the process: imports, statement compilation, index load), then from another root
    sheet_roots = roots["shallow"][0][:2]
    for label, sheet_root in zip(("cold", "warm"), sheet_roots, strict=False):
        with unit_of_work(engine) as session:
            started = time.perf_counter()
            out, res = trace_service.trace(session, sheet_root, "forward")
            kde = _spreadsheet.kde_rows(session, res.events, out.lots)
            lots = _spreadsheet.lot_rows(session, out.lots)
            _spreadsheet.write(args.workdir / f"{backend}.xlsx", kde, lots)
            result["sheet"] = sheet = time.perf_counter() - started
        print(f"[{backend}] recall spreadsheet, {label} (5 tiers, {len(kde)} KDE rows, "
              f"{len(lots)} lots): {sheet * 1000:.0f} ms", flush=True)  # fmt: skip

    if backend == "postgresql":
        with engine.connect() as connection:
            for kind, (forward_roots, backward_roots) in roots.items():
                k = min(args.cte_lots, len(forward_roots))
                cte_f, reach = timed(
                    lambda root: connection.execute(text(FORWARD_CTE), {"root": root}).all(),
                    forward_roots[:k],
                )
                cte_b, _ = timed(
                    lambda root: connection.execute(text(BACKWARD_CTE), {"root": root}).all(),
                    backward_roots[:k],
                )
                result[f"{kind}_cte_fwd"], result[f"{kind}_cte_bwd"] = cte_f, cte_b  # type: ignore[assignment]
                print(f"[{backend}] {kind} CTE forward p50/p99 {cte_f[0]:.2f}/{cte_f[1]:.2f} ms, "
                      f"backward {cte_b[0]:.2f}/{cte_b[1]:.2f} ms (mean {reach:.0f} events "
                      f"reached forward)", flush=True)  # fmt: skip
    engine.dispose()
    return result


def timed(func: Callable[[str], Any], roots: list[str]) -> tuple[tuple[float, float], float]:
    """p50/p99 in ms of ``func`` over ``roots`` and the mean size of what it returned."""
    samples, sizes = [], []
    for root in roots:
        started = time.perf_counter()
        found = func(root)
        samples.append(time.perf_counter() - started)
        sizes.append(len(found.events) if hasattr(found, "events") else len(found))
    return percentiles(samples), float(np.mean(sizes)) if sizes else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--validated", type=int, default=100_000)
    parser.add_argument("--lots", type=int, default=1000)
    parser.add_argument("--cte-lots", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--deep-chains", type=int, default=200)
    parser.add_argument("--depth", type=int, default=64)
    args = parser.parse_args()
    chain = Chain(args.events, args.seed, args.deep_chains, args.depth)
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
            results.append(bench_backend(backend, url, args, chain))
            if len(results) == 1:
                print(f"generated {chain.count:,} events ({len(chain.farm_lots):,} farm lots, "
                      f"{len(chain.products):,} products, {args.deep_chains} rework chains of "
                      f"depth {args.depth})", flush=True)  # fmt: skip
    summary(results, chain.count, args)


def summary(results: list[dict[str, Any]], n: int, args: argparse.Namespace) -> None:
    print(f"\n{n:,} events; {args.lots} random shallow roots, {args.deep_chains} deep roots "
          f"(depth {args.depth}); times in ms (p50 / p99)")  # fmt: skip
    head = f"{'backend':<11}{'raw ev/s':>10}{'valid ev/s':>11}{'roots':>9}{'fwd graph':>17}"
    print(f"{head}{'bwd graph':>17}{'fwd CTE':>19}{'bwd CTE':>19}{'ratio p50':>10}{'sheet':>7}")
    print("sheet = warm five-tier recall spreadsheet (trace + KDE rows + lot rows + xlsx)")
    for r in results:
        for kind in ("shallow", "deep"):
            f, b = r[f"{kind}_fwd"], r[f"{kind}_bwd"]
            cf, cb = r.get(f"{kind}_cte_fwd"), r.get(f"{kind}_cte_bwd")
            ratio = f"{cf[0] / f[0]:,.0f}x" if cf else "-"
            cte_f = f"{cf[0]:.2f} / {cf[1]:.2f}" if cf else "-"
            cte_b = f"{cb[0]:.2f} / {cb[1]:.2f}" if cb else "-"
            head = (f"{r['backend']:<11}{r['raw_eps']:>10,.0f}{r['validated_eps']:>11,.0f}"
                    if kind == "shallow" else " " * 32)  # fmt: skip
            sheet = f"{r['sheet'] * 1000:>7.0f}" if kind == "shallow" else ""
            print(f"{head}{kind:>9}{f[0]:>8.3f} / {f[1]:<6.3f}{b[0]:>8.3f} / {b[1]:<6.3f}"
                  f"{cte_f:>19}{cte_b:>19}{ratio:>10}{sheet}")  # fmt: skip
    print("ratio = recursive CTE p50 / graph p50 (forward), same roots, PostgreSQL")


if __name__ == "__main__":
    main()
