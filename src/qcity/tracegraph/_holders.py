"""Where every lot is now, worked out for all lots at once (vectorised) and then looked up.

For each (lot, holder) the book quantity is produced + max(shipped to it, received by it) -
shipped from it - consumed by it, summed in sighting order (an identifier seen without a
quantity counts as 1). A holder *holds* the lot when that is positive and it was seen holding
it; its position is the location, unit and time of its last sighting (the location: the last
one given). A lot nobody holds falls back to its last holder (or its last sighting) with
quantity 0. A lot's *carrier* is the parent of its open containment interval that started last.

Built once per state of the graph (it is rebuilt after segments change), so a trace reaching
thousands of lots pays a few array lookups per lot instead of a pass over its sightings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from qcity.tracegraph._batch import Flow
from qcity.tracegraph._segment import NEVER, Segment

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Row = tuple[int, int, int, int, float]  # holder, location, uom, time, quantity
SIGHTING_COLUMNS = ("s_node", "s_time", "s_holder", "s_source", "s_location", "s_quantity",
                    "s_uom", "s_flow")  # fmt: skip


@dataclass(frozen=True)
class Holdings:
    """Held rows (sorted by lot, CSR ``ptr``) and per-lot fallbacks and carriers."""

    ptr: I64
    holder: I64
    location: I64
    uom: I64
    time: I64
    quantity: F64
    seen: npt.NDArray[np.bool_]  # per lot: has sightings
    last_holder: I64  # per lot: fallback position when nobody holds it
    last_location: I64
    last_uom: I64
    last_time: I64
    carrier: I64  # per lot: parent holding it now (-1: none)

    def many(self, nodes: list[int]) -> list[tuple[Row, ...] | None]:
        """Per lot: ``(holder, location, uom, time, quantity)`` of each holder, the fallback
        ``(last holder, location, uom, time, 0.0)`` when nobody holds it, None when never seen.
        One gather over all the lots (a trace's lots) instead of a lookup per lot."""
        index = np.asarray(nodes, dtype=np.int64)
        starts, ends = self.ptr[index], self.ptr[index + 1]
        counts = ends - starts
        rows = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        held = list(
            zip(
                self.holder[rows].tolist(), self.location[rows].tolist(),
                self.uom[rows].tolist(), self.time[rows].tolist(), self.quantity[rows].tolist(),
                strict=True,
            )
        )  # fmt: skip
        fallback = zip(
            self.last_holder[index].tolist(), self.last_location[index].tolist(),
            self.last_uom[index].tolist(), self.last_time[index].tolist(), strict=True,
        )  # fmt: skip
        out: list[tuple[Row, ...] | None] = []
        at = 0
        for seen, n, (h, loc, u, t) in zip(
            self.seen[index].tolist(), counts.tolist(), fallback, strict=True
        ):
            if not seen:
                out.append(None)
            elif n:
                out.append(tuple(held[at : at + n]))
            else:
                out.append(((h, loc, u, t, 0.0),))
            at += n
        return out

    @classmethod
    def build(cls, n_nodes: int, n_places: int, segments: list[Segment]) -> Holdings:
        """Work out every lot's holders from the segments' sightings and containment."""
        if not segments:
            none = np.full(n_nodes, -1, dtype=np.int64)
            e, f = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
            return cls(np.zeros(n_nodes + 1, dtype=np.int64), e, e, e, e, f,
                       np.zeros(n_nodes, dtype=bool), none, none, none, none, none)  # fmt: skip
        s = _sightings(segments)
        node, holder, time = s["s_node"], s["s_holder"], s["s_time"]
        n = len(node)
        width = n_places + 1
        row = np.arange(n, dtype=np.int64)
        quantity = np.where(np.isnan(s["s_quantity"]), 1.0, s["s_quantity"])
        flow = s["s_flow"].astype(np.int64)
        # one contribution per sighting at its holder, then one per outbound shipment at the
        # source, in the order a walk over the sightings would add them
        mine = holder >= 0
        ships = (flow == Flow.SHIPPED) & (s["s_source"] >= 0)
        base = node.astype(np.int64) * width + 1
        key = np.concatenate([(base + holder)[mine], (base + s["s_source"])[ships]])
        kind = np.concatenate([flow[mine], np.full(int(ships.sum()), Flow.CONSUMED)])
        amount = np.concatenate([quantity[mine], quantity[ships]])
        order = np.argsort(np.concatenate([2 * row[mine], 2 * row[ships] + 1]), kind="stable")
        key, kind, amount = key[order], kind[order], amount[order]
        unique, inverse = np.unique(key, return_inverse=True)

        def total(flow_kind: int) -> F64:
            pick = kind == flow_kind
            sums = np.bincount(inverse[pick], weights=amount[pick], minlength=len(unique))
            return sums.astype(np.float64)

        balance = (
            total(Flow.PRODUCED)
            + np.maximum(total(Flow.SHIPPED), total(Flow.RECEIVED))
            - total(Flow.CONSUMED)
        )
        # the last sighting (and the last one naming a location) of each (lot, holder)
        own_row = row[mine]
        at = np.asarray(np.searchsorted(unique, (base + holder)[mine]), dtype=np.int64)
        last = _last_row(at, own_row, len(unique))
        located = s["s_location"][own_row] >= 0
        last_loc = _pick(s["s_location"], _last_row(at[located], own_row[located], len(unique)))
        keep = (balance > 1e-9) & (last >= 0)
        rows = last[keep]
        held_node = unique[keep] // width
        fallback = _fallback(n_nodes, s, width, unique, last_loc)
        return cls(
            ptr=np.searchsorted(held_node, np.arange(n_nodes + 1)).astype(np.int64),
            holder=(unique[keep] % width - 1).astype(np.int64),
            location=last_loc[keep],
            uom=s["s_uom"][rows].astype(np.int64),
            time=time[rows],
            quantity=balance[keep],
            carrier=_carriers(n_nodes, segments),
            **fallback,
        )


def _last_row(group: npt.NDArray[Any], row: I64, size: int) -> I64:
    """Per group ``0..size-1``, its highest row (-1 for a group without rows)."""
    last = np.full(size, -1, dtype=np.int64)
    np.maximum.at(last, group, row)
    return last


def _pick(column: npt.NDArray[Any], rows: I64) -> I64:
    """``column[rows]`` as int64, -1 where ``rows`` is -1."""
    if len(column) == 0:
        return np.full(len(rows), -1, dtype=np.int64)
    return np.where(rows >= 0, column[np.maximum(rows, 0)].astype(np.int64), -1)


def _fallback(
    n_nodes: int,
    s: dict[str, npt.NDArray[Any]],
    width: int,
    unique: I64,
    last_loc: I64,
) -> dict[str, Any]:
    """Per lot: the position of its last holder (quantity 0), else of its last sighting."""
    node, holder, time = s["s_node"], s["s_holder"], s["s_time"]
    row = np.arange(len(node), dtype=np.int64)
    last_row = _last_row(node, row, n_nodes)
    mine = holder >= 0
    last_own = _last_row(node[mine], row[mine], n_nodes)
    has_own = last_own >= 0
    pick = np.where(has_own, last_own, last_row)
    lot_holder = np.where(has_own, _pick(holder, pick), -1)
    own_key = np.arange(n_nodes, dtype=np.int64) * width + lot_holder + 1
    at = np.minimum(np.searchsorted(unique, own_key), max(len(unique) - 1, 0))
    own_loc = last_loc[at] if len(unique) else np.full(n_nodes, -1, dtype=np.int64)
    location = np.where(has_own, own_loc, _pick(s["s_location"], pick))
    t = np.where(has_own, _pick(time, pick), 0)
    t = np.where(t == 0, _pick(time, last_row), t)
    return {
        "seen": last_row >= 0,
        "last_holder": lot_holder,
        "last_location": location,
        "last_uom": _pick(s["s_uom"], pick),
        "last_time": t,
    }


def _sightings(segments: list[Segment]) -> dict[str, npt.NDArray[Any]]:
    """All sightings in (lot, time) order (a segment's own order is already that)."""
    if len(segments) == 1:
        return {c: getattr(segments[0], c) for c in SIGHTING_COLUMNS}
    out = {c: np.concatenate([getattr(seg, c) for seg in segments]) for c in SIGHTING_COLUMNS}
    order = np.lexsort((out["s_time"], out["s_node"]))
    return {c: v[order] for c, v in out.items()}


def _carriers(n_nodes: int, segments: list[Segment]) -> I64:
    """Per lot, the parent of its open containment interval that started last (-1: none);
    on equal starts the interval met first (older segment, then earlier row)."""
    child = np.concatenate([seg.c_child for seg in segments]).astype(np.int64)
    start = np.concatenate([seg.c_start for seg in segments])
    parent = np.concatenate([seg.c_parent for seg in segments]).astype(np.int64)
    open_ = np.concatenate([seg.c_end for seg in segments]) == NEVER
    seq = np.arange(len(child))
    child, start, parent, seq = child[open_], start[open_], parent[open_], seq[open_]
    order = np.lexsort((-seq, start, child))
    child, parent = child[order], parent[order]
    last = np.r_[child[1:] != child[:-1], True] if len(child) else np.empty(0, dtype=bool)
    carrier = np.full(n_nodes, -1, dtype=np.int64)
    carrier[child[last]] = parent[last]
    return carrier
