"""The trace graph: interned identifiers, CSR segments, breadth-first traces over time windows.

A trace walks *states* ``(node, lo, hi, whole)``: the material of interest is in ``node`` during
``[lo, hi]``. ``whole`` says the node itself is the material (a root, a transformation output, a
child taken from a traced parent), so its contents count; a parent reached from a child is
*not* whole: only its own movements while the child was inside matter.

Forward from ``(n, lo, hi)``: the sightings of ``n`` in the window; the transformations
consuming ``n`` in the window lead to their outputs from the output time on; the parents holding
``n`` during the window lead to ``(parent, overlap)``; if whole, the children held in the
window (at the moment ``at`` for a root traced "at" a time) lead to ``(child, from then on)``.
Backward mirrors it: transformations producing ``n`` lead to their inputs up to the input time,
children lead to ``(child, up to when they were taken out)``.

A state is skipped when a visited state of the same node covers its window (and is whole if it
is): windows only shrink along a path and come from finitely many event times, so cycles
(returns, rework) terminate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from qcity.tracegraph._batch import EventBatch, Flow
from qcity.tracegraph._holders import Holdings
from qcity.tracegraph._intern import Interner
from qcity.tracegraph._segment import ALWAYS, NEVER, Segment, pair_containment

FORMAT_VERSION = 1
MERGE_FRACTION = 0.1  # merge the small segments once they exceed this share of the rows
MAX_SEGMENTS = 8


@dataclass(frozen=True)
class Position:
    """Where (some of) a lot is: holder, business location, quantity there, last seen (time)."""

    holder: str | None
    location: str | None
    quantity: float
    uom: str | None
    last_seen: int


@dataclass(frozen=True)
class TracedLot:
    """A lot (identifier) reached by a trace, at ``depth`` hops from the root."""

    identifier: str
    depth: int
    positions: tuple[Position, ...]


@dataclass(frozen=True)
class TraceResult:
    """Lots reached (roots first, then by depth) and the events walked, in time order."""

    roots: tuple[str, ...]
    direction: str  # "forward" or "backward"
    lots: tuple[TracedLot, ...]
    events: tuple[int, ...]
    event_times: tuple[int, ...]


@dataclass(frozen=True)
class MassBalance:
    """Per (lot, holder): produced + received - shipped - consumed against the counted stock.

    ``expected`` is the book quantity up to the last inventory count (all flows when there is
    none); ``on_hand`` is that count (NaN when never counted); ``discrepancy`` is
    ``expected - on_hand`` (with no count: the book quantity below zero, as stock cannot be
    negative). A row is flagged when ``|discrepancy|`` exceeds both the absolute tolerance and the
    relative tolerance times what came in (produced + received).
    """

    node: npt.NDArray[np.int64]
    holder: npt.NDArray[np.int64]
    produced: npt.NDArray[np.float64]
    received: npt.NDArray[np.float64]
    shipped: npt.NDArray[np.float64]
    consumed: npt.NDArray[np.float64]
    on_hand: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]
    discrepancy: npt.NDArray[np.float64]
    flagged: npt.NDArray[np.bool_]
    nodes: Interner
    places: Interner

    def __len__(self) -> int:
        return len(self.node)

    def rows(self, *, flagged_only: bool = False) -> list[BalanceRow]:
        """The rows as objects, flagged first and by largest discrepancy."""
        index = np.flatnonzero(self.flagged) if flagged_only else np.arange(len(self.node))
        order = np.lexsort((-np.abs(self.discrepancy[index]), ~self.flagged[index]))
        out = []
        for i in index[order].tolist():
            lot = self.nodes.string(int(self.node[i]))
            assert lot is not None
            out.append(
                BalanceRow(
                    lot, self.places.string(int(self.holder[i])), float(self.produced[i]),
                    float(self.received[i]), float(self.shipped[i]), float(self.consumed[i]),
                    None if np.isnan(self.on_hand[i]) else float(self.on_hand[i]),
                    float(self.expected[i]), float(self.discrepancy[i]), bool(self.flagged[i]),
                )
            )  # fmt: skip
        return out


@dataclass(frozen=True)
class BalanceRow:
    """One (lot, holder) of a :class:`MassBalance`."""

    lot: str
    holder: str | None
    produced: float
    received: float
    shipped: float
    consumed: float
    on_hand: float | None
    expected: float
    discrepancy: float
    flagged: bool


class TraceGraph:
    """A compact in-memory index of traceability events; add batches, then trace."""

    def __init__(self) -> None:
        self.nodes = Interner()
        self.places = Interner()
        self.uoms = Interner()
        self.segments: list[Segment] = []
        self.last_event = -1
        self._holdings: Holdings | None = None

    # --- size --------------------------------------------------------------------------------

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def row_count(self) -> int:
        return sum(s.rows for s in self.segments)

    def node_id(self, identifier: str) -> int | None:
        return self.nodes.get(identifier)

    def identifier(self, node: int) -> str:
        value = self.nodes.string(node)
        assert value is not None
        return value

    # --- loading -----------------------------------------------------------------------------

    def add(self, batch: EventBatch, *, merge: bool = True) -> None:
        """Index a batch of newer events (a new segment; small segments are merged later).

        Pass ``merge=False`` while loading many batches, then call :meth:`compact` once.
        """
        if batch.size == 0:
            self.last_event = max(self.last_event, batch.last_event)
            return
        nodes, places, uoms = self.nodes, self.places, self.uoms
        raw: dict[str, npt.NDArray[np.generic]] = {
            "s_node": nodes.intern_many(batch.sight_node),
            "s_time": batch.sight_time,
            "s_event": batch.sight_event,
            "s_holder": places.intern_many(batch.sight_holder),
            "s_source": places.intern_many(batch.sight_source),
            "s_location": places.intern_many(batch.sight_location),
            "s_quantity": batch.sight_quantity,
            "s_uom": uoms.intern_many(batch.sight_uom),
            "s_flow": batch.sight_flow,
            "x_in": nodes.intern_many(batch.xf_input),
            "x_out": nodes.intern_many(batch.xf_output),
            "x_in_time": batch.xf_input_time,
            "x_out_time": batch.xf_output_time,
            "x_in_event": batch.xf_input_event,
            "x_out_event": batch.xf_output_event,
            "x_in_quantity": batch.xf_input_quantity,
            "x_out_quantity": batch.xf_output_quantity,
        }
        parent = nodes.intern_many(batch.ct_parent)
        child = nodes.intern_many(batch.ct_child)
        named = child >= 0
        intervals, deletes = pair_containment(
            parent[named], child[named], batch.ct_time[named], batch.ct_event[named],
            batch.ct_add[named],
        )  # fmt: skip
        raw.update(intervals)
        segment = Segment.build(len(nodes), raw)
        # DELETEs close intervals opened by older batches; "empty the parent" closes all.
        older = list(self.segments)
        d_parent = parent[named][deletes]
        d_child = child[named][deletes]
        d_time = batch.ct_time[named][deletes]
        d_event = batch.ct_event[named][deletes]
        for p, c, t, e in zip(
            d_parent.tolist(), d_child.tolist(), d_time.tolist(), d_event.tolist(), strict=True
        ):
            for old in older:
                old.close(p, c, t, e)
        empties = np.flatnonzero(~named & ~batch.ct_add)
        for i in empties.tolist():
            for seg in [*older, segment]:
                seg.close(int(parent[i]), -1, int(batch.ct_time[i]), int(batch.ct_event[i]))
        self.segments.append(segment)
        self._holdings = None
        self.last_event = max(self.last_event, batch.last_event)
        if merge:
            self._maybe_merge()

    def _maybe_merge(self) -> None:
        if len(self.segments) < 2:
            return
        small = sum(s.rows for s in self.segments[1:])
        if len(self.segments) > MAX_SEGMENTS or small > MERGE_FRACTION * self.segments[0].rows:
            self.compact()

    def compact(self) -> None:
        """Merge every segment into one (rebuilding the CSR indexes over all nodes)."""
        if len(self.segments) > 1:
            self.segments = [Segment.merge(len(self.nodes), self.segments)]
            self._holdings = None

    # --- persistence -------------------------------------------------------------------------

    def save(self, path: Path, **meta: str) -> None:
        """Write the index as one ``.npz`` file (no pickles); ``meta`` strings are kept."""
        self.compact()
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        if self.segments:
            arrays.update(self.segments[0].arrays())
        for name, interner in (("nodes", self.nodes), ("places", self.places), ("uoms", self.uoms)):
            arrays[f"{name}_blob"] = interner.to_bytes()
            arrays[f"{name}_count"] = np.array([len(interner)], dtype=np.int64)
        arrays["header"] = np.array([FORMAT_VERSION, self.last_event], dtype=np.int64)
        for key, value in meta.items():
            arrays[f"meta_{key}"] = np.frombuffer(value.encode(), dtype=np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> tuple[TraceGraph, dict[str, str]]:
        """Read a file written by :meth:`save`; returns the graph and its ``meta`` strings."""
        with np.load(path, allow_pickle=False) as data:
            header = data["header"]
            if int(header[0]) != FORMAT_VERSION:
                raise ValueError(f"trace index format {int(header[0])} is not {FORMAT_VERSION}")
            graph = cls()
            for name in ("nodes", "places", "uoms"):
                count = int(data[f"{name}_count"][0])
                setattr(graph, name, Interner.from_bytes(data[f"{name}_blob"], count))
            graph.last_event = int(header[1])
            if "s_ptr" in data:
                names = Segment.__dataclass_fields__
                graph.segments = [Segment(**{k: data[k].copy() for k in names})]
            meta = {
                k.removeprefix("meta_"): data[k].tobytes().decode()
                for k in data.files
                if k.startswith("meta_")
            }
        return graph, meta

    # --- traces ------------------------------------------------------------------------------

    def forward(
        self, roots: list[str] | str, *, at: int | None = None, max_depth: int | None = None
    ) -> TraceResult:
        """Where the roots went: everything made from them or moved with them, from ``at`` on."""
        return self._trace(roots, forward=True, at=at, max_depth=max_depth)

    def backward(
        self, roots: list[str] | str, *, at: int | None = None, max_depth: int | None = None
    ) -> TraceResult:
        """Where the roots came from: their inputs and what carried them, up to ``at``."""
        return self._trace(roots, forward=False, at=at, max_depth=max_depth)

    def siblings(self, roots: list[str] | str, *, max_depth: int | None = None) -> TraceResult:
        """Backward, then forward from everything found: the scope of a contaminated input."""
        back = self.backward(roots, max_depth=max_depth)
        sources = [lot.identifier for lot in back.lots]
        result = self.forward(sources)
        names = [roots] if isinstance(roots, str) else list(roots)
        return TraceResult(tuple(names), "siblings", result.lots, result.events, result.event_times)

    def _trace(
        self, roots: list[str] | str, *, forward: bool, at: int | None, max_depth: int | None
    ) -> TraceResult:
        names = [roots] if isinstance(roots, str) else list(roots)
        limit = max_depth if max_depth is not None else 1 << 30
        visited: dict[int, list[tuple[int, int, bool]]] = {}
        depth: dict[int, int] = {}
        events: dict[int, int] = {}
        queue: deque[tuple[int, int, int, bool, int, bool]] = deque()

        def push(node: int, lo: int, hi: int, whole: bool, d: int, root: bool = False) -> None:
            seen = visited.setdefault(node, [])
            for vlo, vhi, vwhole in seen:
                if vlo <= lo and vhi >= hi and (vwhole or not whole):
                    return
            seen.append((lo, hi, whole))
            if node not in depth:
                depth[node] = d
            queue.append((node, lo, hi, whole, d, root))

        for name in names:
            node = self.nodes.get(name)
            if node is None:
                continue
            if forward:
                push(node, ALWAYS if at is None else at, NEVER, True, 0, True)
            else:
                push(node, ALWAYS, NEVER if at is None else at, True, 0, True)
        segments = self.segments
        while queue:
            node, lo, hi, whole, d, root = queue.popleft()
            for seg in segments:
                a, b = seg.sightings_between(node, lo, hi)
                if b > a:
                    events.update(
                        zip(seg.s_event[a:b].tolist(), seg.s_time[a:b].tolist(), strict=True)
                    )
                if d >= limit:
                    continue
                if forward:
                    for k in seg.consumed_between(node, lo, hi):
                        out_time = int(seg.x_out_time[k])
                        events[int(seg.x_in_event[k])] = int(seg.x_in_time[k])
                        events[int(seg.x_out_event[k])] = out_time
                        push(int(seg.x_out[k]), out_time, NEVER, True, d + 1)
                else:
                    for k in seg.produced_between(node, lo, hi):
                        in_time = int(seg.x_in_time[k])
                        events[int(seg.x_in_event[k])] = in_time
                        events[int(seg.x_out_event[k])] = int(seg.x_out_time[k])
                        push(int(seg.x_in[k]), ALWAYS, in_time, True, d + 1)
                for k in seg.parents_between(node, lo, hi):
                    start, end = int(seg.c_start[k]), int(seg.c_end[k])
                    push(int(seg.c_parent[k]), max(start, lo), min(end, hi), False, d + 1)
                if not whole:
                    continue
                if root and at is not None:
                    children = seg.children_at(node, at)
                else:
                    children = seg.children_between(node, lo, hi)
                for k in children:
                    start, end = int(seg.c_start[k]), int(seg.c_end[k])
                    child = int(seg.c_child[k])
                    if forward:
                        push(child, max(start, lo), NEVER, True, d + 1)
                    else:
                        push(child, ALWAYS, min(end, hi), True, d + 1)
        ordered = sorted(depth, key=lambda n: (depth[n], n))
        where = self.positions_of(ordered)
        lots = tuple(
            TracedLot(self.identifier(n), depth[n], p) for n, p in zip(ordered, where, strict=True)
        )
        timeline = sorted(events.items(), key=lambda item: (item[1], item[0]))
        return TraceResult(
            roots=tuple(names),
            direction="forward" if forward else "backward",
            lots=lots,
            events=tuple(e for e, _ in timeline),
            event_times=tuple(t for _, t in timeline),
        )

    # --- where a lot is ----------------------------------------------------------------------

    def holdings(self) -> Holdings:
        """Every lot's holders, worked out once for the current segments (then looked up)."""
        if self._holdings is None:
            self._holdings = Holdings.build(len(self.nodes), len(self.places), self.segments)
        return self._holdings

    def positions(self, node: int) -> tuple[Position, ...]:
        """Where the lot is now: every holder with a positive book quantity (else the last one).

        Book quantity at a holder = produced + max(shipped to it, received by it) - shipped
        from it - consumed by it; an identifier seen without a quantity counts as 1 (an
        instance). A lot still packed in a parent that moved after it is where the parent is.
        """
        return self.positions_of([node])[0]

    def positions_of(self, nodes: list[int], _depth: int = 0) -> list[tuple[Position, ...]]:
        """:meth:`positions` of many lots at once (one gather from the holder index)."""
        h = self.holdings()
        places, uoms = self.places, self.uoms
        out: list[tuple[Position, ...]] = []
        carried: dict[int, int] = {}  # index in ``out`` -> carrier
        carriers = h.carrier[np.asarray(nodes, dtype=np.int64)].tolist() if nodes else []
        for i, rows in enumerate(h.many(nodes)):
            if rows is None:
                out.append(())
                continue
            held = sorted(
                (Position(places.string(holder), places.string(loc), q, uoms.string(u), t)
                 for holder, loc, u, t, q in rows),
                key=lambda p: (-p.last_seen, p.holder or ""),
            )  # fmt: skip
            out.append(tuple(held))
            if _depth < 4 and carriers[i] >= 0:
                carried[i] = carriers[i]
        if carried:  # a lot still packed in a parent that moved after it is where the parent is
            outer_of = self.positions_of(list(carried.values()), _depth + 1)
            for (i, _parent), outer in zip(carried.items(), outer_of, strict=True):
                held = list(out[i])
                if outer and outer[0].last_seen > held[0].last_seen:
                    total = sum(p.quantity for p in held) or held[0].quantity
                    first = outer[0]
                    out[i] = (
                        Position(first.holder, first.location, total, held[0].uom,
                                 first.last_seen),
                    )  # fmt: skip
        return out

    # --- mass balance ------------------------------------------------------------------------

    def mass_balance(self, *, absolute: float = 0.0, relative: float = 0.02) -> MassBalance:
        """Book against counted quantities for every (lot, holder), vectorised over all rows."""
        self.compact()
        if not self.segments:
            e, i = np.empty(0), np.empty(0, np.int64)
            flags = np.empty(0, bool)
            return MassBalance(i, i, e, e, e, e, e, e, e, flags, self.nodes, self.places)
        seg = self.segments[0]
        node = seg.s_node.astype(np.int64)
        holder = seg.s_holder.astype(np.int64)
        source = seg.s_source.astype(np.int64)
        flow = seg.s_flow
        quantity = np.where(np.isnan(seg.s_quantity), 1.0, seg.s_quantity)
        time = seg.s_time
        width = len(self.places) + 1
        shipped_out = (flow == Flow.SHIPPED) & (source >= 0)
        # one row per flow at a (lot, holder) key; outbound shipments count at the source
        keys = np.concatenate([node * width + holder + 1, (node * width + source + 1)[shipped_out]])
        kinds = np.concatenate([flow.astype(np.int64), np.full(int(shipped_out.sum()), -1)])
        amounts = np.concatenate([quantity, quantity[shipped_out]])
        times = np.concatenate([time, time[shipped_out]])
        relevant = (kinds != Flow.OTHER) & (keys % width != 0)
        keys, kinds = keys[relevant], kinds[relevant]
        amounts, times = amounts[relevant], times[relevant]
        unique, inverse = np.unique(keys, return_inverse=True)
        n = len(unique)
        counted = kinds == Flow.COUNTED
        count_time = np.full(n, NEVER, dtype=np.int64)
        on_hand = np.full(n, np.nan)
        if counted.any():
            c_idx = np.flatnonzero(counted)
            order = np.lexsort((times[c_idx], inverse[c_idx]))
            c_idx = c_idx[order]
            last = np.r_[inverse[c_idx][1:] != inverse[c_idx][:-1], True]
            count_time[inverse[c_idx][last]] = times[c_idx][last]
            on_hand[inverse[c_idx][last]] = amounts[c_idx][last]
        upto = times <= count_time[inverse]

        def total(kind: int) -> npt.NDArray[np.float64]:
            mask = (kinds == kind) & upto
            sums = np.bincount(inverse[mask], weights=amounts[mask], minlength=n)
            return sums.astype(np.float64)

        produced = total(Flow.PRODUCED)
        received = np.maximum(total(Flow.SHIPPED), total(Flow.RECEIVED))
        shipped = total(-1)
        consumed = total(Flow.CONSUMED)
        expected = produced + received - shipped - consumed
        has_count = ~np.isnan(on_hand)
        counted_gap = expected - np.nan_to_num(on_hand)
        discrepancy = np.where(has_count, counted_gap, np.minimum(expected, 0))
        inflow = produced + received
        flagged = (np.abs(discrepancy) > absolute) & (np.abs(discrepancy) > relative * inflow)
        flagged &= np.abs(discrepancy) > 1e-9
        return MassBalance(
            node=unique // width,
            holder=unique % width - 1,
            produced=produced,
            received=received,
            shipped=shipped,
            consumed=consumed,
            on_hand=on_hand,
            expected=expected,
            discrepancy=discrepancy,
            flagged=flagged,
            nodes=self.nodes,
            places=self.places,
        )
