"""Trace bench: capture rate, trace latency against a recursive CTE, recall spreadsheet time.

A seeded five-tier chain (farms → processors → distributors → wholesalers → retailers): farm lots
commissioned, shipped and received; processors transform two farm lots into a product lot,
pack it on a pallet (SSCC) and ship it to a distributor, who unpacks it and ships parts to
wholesalers, who ship parts on to retailers. About 35 events per production run.

Events are generated as table rows (:class:`RowEmitter`: the documents and rows the demo's
Emitter would give, a test pins the equality; for PostgreSQL pre-encoded COPY text lines), chunk
by chunk, never all in memory. Measured on SQLite and PostgreSQL:

* validated capture (the epcis service: parse, validate, CBV hash, bulk store) on
  ``min(N, --validated)`` events, and raw bulk storage (``trace.repository.insert_rows``:
  COPY / executemany) of all N events in one transaction, secondary indexes and (PostgreSQL)
  unique and foreign-key constraints built after the load, SQLite without journal or fsync and
  with a 2 GiB page cache, in events per second (generating the rows is timed apart);
* building the in-memory graph from the database, saving and loading the ``.npz`` index (with
  the holder index every trace reads current holders from);
* forward and backward trace p50/p99 over ``--lots`` random lots (graph, in memory), side by
  side with a recursive CTE on PostgreSQL over the same rows (baseline) and the ratio;
* the recall spreadsheet (trace + KDE rows + lot rows + xlsx) for a five-tier forward scope,
  cold (first in the process) and warm.

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
from qcity.db.bulk import deferred_constraints, deferred_indexes, unsafe_sqlite_load
from qcity.epcis import service as epcis_service
from qcity.trace import _spreadsheet, repository
from qcity.trace import service as trace_service
from qcity.trace._demo import EVENT_PREFIX, Emitter, Party, _ship_receive, demo_hash, fast_hash
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


def run_events(
    out: Emitter, rng: random.Random, p: dict[str, list[Party]], run: int
) -> tuple[list[str], str]:
    """One production run (35 events); returns its farm lots and its product lot."""
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
    return farm_lots, product


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

    def chunks(self, dialect: str = "sqlite", first_key: int = 1) -> Iterator[RowEmitter]:
        """The events as table rows for ``dialect``, keys from ``first_key`` on."""
        rng = random.Random(self.seed)
        p = tiers(rng)
        record = not self.count
        now = repository.time_text(dt.datetime.now(dt.UTC), dialect)
        out = RowEmitter(0, first_key, dialect, now)
        run = total = 0
        while total + len(out) < self.n_events:
            lots, product = run_events(out, rng, p, run)
            if record:
                self.farm_lots += lots
                self.products.append(product)
            run += 1
            if run % CHUNK_RUNS == 0:
                total += len(out)
                yield out
                out = RowEmitter(out.serial, out.key + 1, dialect, now)
        yield self.deep_chains(out, p)
        total += len(out)
        if record:
            self.count = total

    def deep_chains(self, out: RowEmitter, p: dict[str, list[Party]]) -> RowEmitter:
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


class RowEmitter(Emitter):
    """An :class:`Emitter` that writes table rows instead of :class:`StoredEvent` objects.

    The document is built by string concatenation in the canonical form the Emitter's
    ``json.dumps(sort_keys=True)`` gives (bench values need no JSON escaping; a test pins the
    equality), keys are assigned from ``first_key`` on, and for PostgreSQL every row is one
    line in COPY text format, so storing costs no per-value work in the driver.
    """

    def __init__(self, serial: int, first_key: int, dialect: str, now: str) -> None:
        super().__init__(serial=serial, hasher=fast_hash)
        self.key = first_key - 1
        self.rows = repository.EventRows(encoded=dialect == "postgresql")
        self.dialect, self.now = dialect, now

    def __len__(self) -> int:
        return len(self.rows.events)

    def emit(self, event_type: str, when: dt.datetime, **fields: Any) -> None:
        self.serial += 1
        self.key += 1
        event_id = f"{EVENT_PREFIX}{self.serial}"
        document, objects, parties, txs = canonical(event_type, event_id, when, **fields)
        action = None if event_type == "TransformationEvent" else fields.get("action", "OBSERVE")
        step, disposition = fields.get("step"), fields.get("disposition")
        location, parent = fields.get("location"), fields.get("parent")
        event = (
            self.key, event_id, demo_hash(document), event_type, action,
            repository.time_text(when, self.dialect), "+08:00", self.now, step, disposition,
            location, location, parent, fields.get("xform"), False, document,
        )  # fmt: skip
        rows, key = self.rows, self.key
        if rows.encoded:  # COPY text: tab-separated, \N for NULL (values hold no tab or \)
            rows.events.append("\t".join([NULL if v is None else str(v) for v in event[:14]])
                               + "\tf\t" + document + "\n")  # fmt: skip
            rows.objects += [
                f"{key}\t{r}\t{i}\t{'t' if c else 'f'}\t{NULL if q is None else q}\t{u or NULL}\n"
                for r, i, c, q, u in objects
            ]
            rows.parties += [f"{key}\t{k}\t{t}\t{i}\n" for k, t, i in parties]
            rows.transactions += [f"{key}\t{t or NULL}\t{b}\n" for t, b in txs]
        else:
            rows.events.append(event)
            rows.objects += [(key, *o) for o in objects]
            rows.parties += [(key, *p) for p in parties]
            rows.transactions += [(key, *t) for t in txs]


NULL = "\\N"  # NULL in COPY text format


def _qlist(key: str, items: tuple[tuple[str, float, str], ...]) -> str:
    body = ",".join(f'{{"epcClass":"{i}","quantity":{q!r},"uom":"{u}"}}' for i, q, u in items)
    return f'"{key}":[{body}]'


def canonical(
    event_type: str,
    event_id: str,
    when: dt.datetime,
    *,
    action: str | None = "OBSERVE",
    step: str | None = None,
    disposition: str | None = None,
    location: str | None = None,
    epcs: tuple[str, ...] = (),
    quantities: tuple[tuple[str, float, str], ...] = (),
    parent: str | None = None,
    children: tuple[str, ...] = (),
    child_quantities: tuple[tuple[str, float, str], ...] = (),
    inputs: tuple[tuple[str, float, str], ...] = (),
    outputs: tuple[tuple[str, float, str], ...] = (),
    sources: tuple[tuple[str, str], ...] = (),
    destinations: tuple[tuple[str, str], ...] = (),
    transactions: tuple[tuple[str, str], ...] = (),
    xform: str | None = None,
) -> tuple[str, list[tuple[Any, ...]], list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The canonical document (keys sorted, no blanks) and the object, party, transaction rows
    of one event, as :class:`Emitter` makes them."""
    parts: list[str] = []
    objects: list[tuple[Any, ...]] = []
    if event_type != "TransformationEvent":
        parts.append(f'"action":"{action}"')
    if location:
        parts.append(f'"bizLocation":{{"id":"{location}"}}')
    if step:
        parts.append(f'"bizStep":"{step}"')
    if transactions:
        body = ",".join(f'{{"bizTransaction":"{b}","type":"{t}"}}' for t, b in transactions)
        parts.append(f'"bizTransactionList":[{body}]')
    if parent:
        objects.append(("parent", parent, False, None, None))
    if children:
        parts.append('"childEPCs":[' + ",".join(f'"{c}"' for c in children) + "]")
    if child_quantities:
        parts.append(_qlist("childQuantityList", child_quantities))
    if destinations:
        body = ",".join(f'{{"destination":"{d}","type":"{t}"}}' for t, d in destinations)
        parts.append(f'"destinationList":[{body}]')
    if disposition:
        parts.append(f'"disposition":"{disposition}"')
    if epcs:
        parts.append('"epcList":[' + ",".join(f'"{e}"' for e in epcs) + "]")
        objects += [("epc", e, False, None, None) for e in epcs]
    objects += [("epc", i, True, q, u) for i, q, u in quantities]
    objects += [("child", c, False, None, None) for c in children]
    objects += [("child", i, True, q, u) for i, q, u in child_quantities]
    objects += [("input", i, True, q, u) for i, q, u in inputs]
    objects += [("output", i, True, q, u) for i, q, u in outputs]
    stamp = when.isoformat(timespec="milliseconds")
    parts.append(f'"eventID":"{event_id}","eventTime":"{stamp}","eventTimeZoneOffset":"+08:00"')
    if inputs:
        parts.append(_qlist("inputQuantityList", inputs))
    if outputs:
        parts.append(_qlist("outputQuantityList", outputs))
    if parent:
        parts.append(f'"parentID":"{parent}"')
    if quantities:
        parts.append(_qlist("quantityList", quantities))
    if location:
        parts.append(f'"readPoint":{{"id":"{location}"}}')
    if sources:
        body = ",".join(f'{{"source":"{s}","type":"{t}"}}' for t, s in sources)
        parts.append(f'"sourceList":[{body}]')
    if xform:
        parts.append(f'"transformationID":"{xform}"')
    parts.append(f'"type":"{event_type}"')
    parties = [("source", t, s) for t, s in sources] + [
        ("destination", t, d) for t, d in destinations
    ]
    return "{" + ",".join(parts) + "}", objects, parties, list(transactions)


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
        events += [json.loads(row[-1]) for row in chunk.rows.events[: limit - len(events)]]
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


def raw_store(engine: Engine, chain: Chain) -> tuple[int, float, float]:
    """Store every event, generated chunk by chunk, in one transaction with the indexes and
    unique / foreign-key constraints built after the load (on SQLite: no journal, no fsync,
    a 2 GiB page cache). Returns the events stored, the seconds storing them (with the index
    and constraint builds and the commit) and the seconds generating them."""
    stored, generating = 0, 0.0
    started = time.perf_counter()
    tables = zip(repository.EPCIS_TABLES, repository.EPCIS_MODELS, strict=True)
    with (
        engine.connect() as connection,
        unsafe_sqlite_load(connection),
        connection.begin(),
        ExitStack() as stack,
    ):
        if engine.dialect.name == "postgresql":  # index and constraint builds sort in memory
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for table, model in tables:
            stack.enter_context(deferred_indexes(connection, cast_table(model)))
            stack.enter_context(deferred_constraints(connection, table))
        chunks = chain.chunks(engine.dialect.name, repository.next_event_key(connection))
        while True:
            begun = time.perf_counter()
            chunk = next(chunks, None)
            generating += time.perf_counter() - begun
            if chunk is None:
                break
            stored += repository.insert_rows(connection, chunk.rows)
    storing = time.perf_counter() - started - generating
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        else:  # statistics from a sample of each index, not a full scan of 10⁷ rows
            connection.exec_driver_sql("PRAGMA analysis_limit=2000")
        connection.exec_driver_sql("ANALYZE")
    return stored, storing, generating


def percentiles(samples: list[float]) -> tuple[float, float]:
    a = np.array(samples) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


def bench_backend(backend: str, url: str, args: argparse.Namespace, chain: Chain) -> dict:  # type: ignore[type-arg]
    result: dict[str, float | str] = {"backend": backend}
    engine = make_engine(url)
    upgrade(engine)
    n, seconds, generating = raw_store(engine, chain)
    result["raw_events"], result["raw_eps"] = n, n / seconds
    print(
        f"[{backend}] raw bulk storage: {n:,} events in {seconds:.1f} s "
        f"= {n / seconds:,.0f} events/s (generating them took another {generating:.1f} s)",
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
    loaded.holdings()  # every lot's current holders, worked out once per loaded index
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
            result[f"sheet_{label}"] = sheet = time.perf_counter() - started
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
            for leftover in args.workdir.glob("*.sqlite3*"):  # make room for the next backend
                leftover.unlink()
            if len(results) == 1:
                print(f"generated {chain.count:,} events ({len(chain.farm_lots):,} farm lots, "
                      f"{len(chain.products):,} products, {args.deep_chains} rework chains of "
                      f"depth {args.depth})", flush=True)  # fmt: skip
    summary(results, chain.count, args)


def summary(results: list[dict[str, Any]], n: int, args: argparse.Namespace) -> None:
    print(f"\n{n:,} events; {args.lots} random shallow roots, {args.deep_chains} deep roots "
          f"(depth {args.depth}); times in ms (p50 / p99)")  # fmt: skip
    head = f"{'backend':<11}{'raw ev/s':>10}{'valid ev/s':>11}{'roots':>9}{'fwd graph':>17}"
    tail = f"{'ratio p50':>10}{'sheet cold/warm':>16}"
    print(f"{head}{'bwd graph':>17}{'fwd CTE':>19}{'bwd CTE':>19}{tail}")
    print("sheet = five-tier recall spreadsheet (trace + KDE rows + lot rows + xlsx), first call "
          "in the process (cold) and the next one (warm), ms")  # fmt: skip
    for r in results:
        for kind in ("shallow", "deep"):
            f, b = r[f"{kind}_fwd"], r[f"{kind}_bwd"]
            cf, cb = r.get(f"{kind}_cte_fwd"), r.get(f"{kind}_cte_bwd")
            ratio = f"{cf[0] / f[0]:,.0f}x" if cf else "-"
            cte_f = f"{cf[0]:.2f} / {cf[1]:.2f}" if cf else "-"
            cte_b = f"{cb[0]:.2f} / {cb[1]:.2f}" if cb else "-"
            head = (f"{r['backend']:<11}{r['raw_eps']:>10,.0f}{r['validated_eps']:>11,.0f}"
                    if kind == "shallow" else " " * 32)  # fmt: skip
            sheet = (f"{r['sheet_cold'] * 1000:>9.0f} / {r['sheet_warm'] * 1000:<4.0f}"
                     if kind == "shallow" else "")  # fmt: skip
            print(f"{head}{kind:>9}{f[0]:>8.3f} / {f[1]:<6.3f}{b[0]:>8.3f} / {b[1]:<6.3f}"
                  f"{cte_f:>19}{cte_b:>19}{ratio:>10}{sheet}")  # fmt: skip
    print("ratio = recursive CTE p50 / graph p50 (forward), same roots, PostgreSQL")


if __name__ == "__main__":
    main()
