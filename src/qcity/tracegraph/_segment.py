"""One immutable slab of the index: CSR adjacency arrays sorted by (node, time).

A graph is a list of segments: the big one loaded or built once, and small ones appended by
incremental refreshes until they are merged. Every array is NumPy; a node's rows in a segment
are ``ptr[node]:ptr[node + 1]`` (nodes interned after the segment was built have none).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]

NEVER = np.iinfo(np.int64).max  # an open interval's end; "no later bound"
ALWAYS = np.iinfo(np.int64).min  # "no earlier bound"


def _ptr(sorted_keys: npt.NDArray[np.integer], n: int) -> I64:
    ptr: I64 = np.searchsorted(sorted_keys, np.arange(n + 1), side="left").astype(np.int64)
    return ptr


def _window(times: I64, a: int, b: int, lo: int, hi: int) -> tuple[int, int]:
    """Rows ``a:b`` (sorted by time) with ``lo <= time <= hi``; an unbounded side skips a search."""
    if lo != ALWAYS:
        a += int(np.searchsorted(times[a:b], lo, "left"))
    if hi != NEVER:
        b = a + int(np.searchsorted(times[a:b], hi, "right"))
    return a, b


def _span(ptr: I64, node: int) -> tuple[int, int]:
    if node + 1 >= len(ptr):
        return 0, 0
    return int(ptr[node]), int(ptr[node + 1])


@dataclass
class Segment:
    """Sightings, transformation edges and containment intervals with their CSR indexes."""

    # sightings, sorted by (node, time, event)
    s_node: I32
    s_time: I64
    s_event: I64
    s_holder: I32
    s_source: I32
    s_location: I32
    s_quantity: F64
    s_uom: I32
    s_flow: npt.NDArray[np.int8]
    s_ptr: I64
    # transformation edges, sorted by (input, input time); x_bwd orders them by (output, time)
    x_in: I32
    x_out: I32
    x_in_time: I64
    x_out_time: I64
    x_in_event: I64
    x_out_event: I64
    x_in_quantity: F64
    x_out_quantity: F64
    x_fwd_ptr: I64
    x_bwd: I64
    x_bwd_ptr: I64
    # containment intervals [start, end), sorted by (child, start); c_down orders by parent
    c_parent: I32
    c_child: I32
    c_start: I64
    c_end: I64  # mutable: a later DELETE closes an open interval in place
    c_start_event: I64
    c_end_event: I64
    c_up_ptr: I64
    c_down: I64
    c_down_ptr: I64

    @property
    def rows(self) -> int:
        return len(self.s_node) + len(self.x_in) + len(self.c_child)

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    # --- building --------------------------------------------------------------------------

    @classmethod
    def build(cls, n_nodes: int, raw: dict[str, npt.NDArray[np.generic]]) -> Segment:
        """Sort raw columns (``s_*``, ``x_*``, ``c_*`` without the index arrays) and index them."""
        s_order = np.lexsort((raw["s_event"], raw["s_time"], raw["s_node"]))
        s = {k: np.ascontiguousarray(v[s_order]) for k, v in raw.items() if k.startswith("s_")}
        x_order = np.lexsort((raw["x_in_time"], raw["x_in"]))
        x = {k: np.ascontiguousarray(v[x_order]) for k, v in raw.items() if k.startswith("x_")}
        c_order = np.lexsort((raw["c_start"], raw["c_child"]))
        c = {k: np.ascontiguousarray(v[c_order]) for k, v in raw.items() if k.startswith("c_")}
        x_bwd = np.lexsort((x["x_out_time"], x["x_out"])).astype(np.int64)
        c_down = np.lexsort((c["c_start"], c["c_parent"])).astype(np.int64)
        return cls(
            **s,
            s_ptr=_ptr(s["s_node"], n_nodes),
            **x,
            x_fwd_ptr=_ptr(x["x_in"], n_nodes),
            x_bwd=x_bwd,
            x_bwd_ptr=_ptr(x["x_out"][x_bwd], n_nodes),
            **c,
            c_up_ptr=_ptr(c["c_child"], n_nodes),
            c_down=c_down,
            c_down_ptr=_ptr(c["c_parent"][c_down], n_nodes),
        )

    def raw(self) -> dict[str, npt.NDArray[np.generic]]:
        """The columns without index arrays (what :meth:`build` takes)."""
        skip = {"s_ptr", "x_fwd_ptr", "x_bwd", "x_bwd_ptr", "c_up_ptr", "c_down", "c_down_ptr"}
        return {k: v for k, v in self.arrays().items() if k not in skip}

    @classmethod
    def merge(cls, n_nodes: int, segments: list[Segment]) -> Segment:
        raws = [s.raw() for s in segments]
        merged = {k: np.concatenate([r[k] for r in raws]) for k in raws[0]}
        return cls.build(n_nodes, merged)

    # --- lookups ---------------------------------------------------------------------------

    def sightings(self, node: int) -> tuple[int, int]:
        return _span(self.s_ptr, node)

    def sightings_between(self, node: int, lo: int, hi: int) -> tuple[int, int]:
        a, b = _span(self.s_ptr, node)
        if a == b:
            return a, a
        return _window(self.s_time, a, b, lo, hi)

    def consumed_between(self, node: int, lo: int, hi: int) -> range:
        """Edges where ``node`` is the input, consumed within [lo, hi]."""
        a, b = _span(self.x_fwd_ptr, node)
        if a == b:
            return range(0)
        return range(*_window(self.x_in_time, a, b, lo, hi))

    def produced_between(self, node: int, lo: int, hi: int) -> list[int]:
        """Edges where ``node`` is the output, produced within [lo, hi]."""
        a, b = _span(self.x_bwd_ptr, node)
        if a == b:
            return []
        edges = self.x_bwd[a:b]
        times = self.x_out_time[edges]
        i, j = int(np.searchsorted(times, lo, "left")), int(np.searchsorted(times, hi, "right"))
        result: list[int] = edges[i:j].tolist()
        return result

    def parents_between(self, node: int, lo: int, hi: int) -> list[int]:
        """Containment intervals of ``node`` as a child overlapping [lo, hi]."""
        a, b = _span(self.c_up_ptr, node)
        if a == b:
            return []
        j = a + int(np.searchsorted(self.c_start[a:b], hi, "right"))
        index = np.arange(a, j)
        result: list[int] = index[self.c_end[a:j] >= lo].tolist()
        return result

    def children_between(self, node: int, lo: int, hi: int) -> list[int]:
        """Containment intervals of ``node`` as the parent overlapping [lo, hi]."""
        a, b = _span(self.c_down_ptr, node)
        if a == b:
            return []
        intervals = self.c_down[a:b]
        j = int(np.searchsorted(self.c_start[intervals], hi, "right"))
        head = intervals[:j]
        result: list[int] = head[self.c_end[head] >= lo].tolist()
        return result

    def children_at(self, node: int, moment: int) -> list[int]:
        """Containment intervals of ``node`` as the parent holding a child at ``moment``."""
        a, b = _span(self.c_down_ptr, node)
        if a == b:
            return []
        intervals = self.c_down[a:b]
        j = int(np.searchsorted(self.c_start[intervals], moment, "right"))
        head = intervals[:j]
        result: list[int] = head[self.c_end[head] > moment].tolist()
        return result

    def close(self, parent: int, child: int, moment: int, event: int) -> None:
        """Close open intervals of ``child`` (every child when -1) in ``parent`` at ``moment``."""
        if child >= 0:
            a, b = _span(self.c_up_ptr, child)
            candidates = np.arange(a, b)
            candidates = candidates[self.c_parent[a:b] == parent]
        else:
            a, b = _span(self.c_down_ptr, parent)
            candidates = self.c_down[a:b]
        hit = candidates[(self.c_start[candidates] <= moment) & (self.c_end[candidates] > moment)]
        self.c_end[hit] = moment
        self.c_end_event[hit] = event


def pair_containment(
    parent: I32, child: I32, time: I64, event: I64, add: npt.NDArray[np.bool_]
) -> tuple[dict[str, npt.NDArray[np.generic]], npt.NDArray[np.intp]]:
    """Intervals from ADD/DELETE records of named children, vectorised.

    Records are sorted by (parent, child, time, event). An ADD opens an interval when the pair is
    not already open (first record, or the previous record is a DELETE); the interval ends at the
    first later DELETE of the pair, else stays open. Returns the interval columns and the indices
    (into the input) of every DELETE record, which may also close intervals of older segments.
    """
    order = np.lexsort((event, time, child, parent))
    p, c, t, e, a = parent[order], child[order], time[order], event[order], add[order]
    n = len(order)
    if n == 0:
        empty: dict[str, npt.NDArray[np.generic]] = {
            "c_parent": np.empty(0, np.int32),
            "c_child": np.empty(0, np.int32),
            "c_start": np.empty(0, np.int64),
            "c_end": np.empty(0, np.int64),
            "c_start_event": np.empty(0, np.int64),
            "c_end_event": np.empty(0, np.int64),
        }
        return empty, np.empty(0, np.intp)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (p[1:] != p[:-1]) | (c[1:] != c[:-1])
    group_id = np.cumsum(new_group) - 1
    group_end = np.r_[np.flatnonzero(new_group)[1:], n][group_id]
    prev_delete = np.ones(n, dtype=bool)
    prev_delete[1:] = ~a[:-1]
    starts = a & (new_group | prev_delete)
    idx = np.arange(n)
    next_delete = np.where(~a, idx, n)
    next_delete = np.minimum.accumulate(next_delete[::-1])[::-1]
    s = np.flatnonzero(starts)
    nd = next_delete[s]
    closed = nd < group_end[s]
    nd_safe = np.where(closed, nd, 0)
    columns: dict[str, npt.NDArray[np.generic]] = {
        "c_parent": p[s].astype(np.int32),
        "c_child": c[s].astype(np.int32),
        "c_start": t[s],
        "c_end": np.where(closed, t[nd_safe], NEVER).astype(np.int64),
        "c_start_event": e[s],
        "c_end_event": np.where(closed, e[nd_safe], -1).astype(np.int64),
    }
    return columns, order[~a]
