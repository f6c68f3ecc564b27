"""The trace as a graph for ECharts: (lot, holder) nodes and ship / transform / aggregate edges.

A node is a lot at a holder (its credit code when known). Edges come from the events the trace
walked: shipping and receiving move a lot from the source party to the destination party,
a transformation (possibly split over events sharing a transformation ID) links its inputs to
its outputs at the location's holder, an aggregation links a child to its parent (pallet).
Only nodes the user may see are drawn; the graph is capped at :data:`MAX_NODES` nodes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qcity.epcis.models import EpcisEvent
from qcity.trace import repository
from qcity.trace._scope import MOVES
from qcity.trace._spreadsheet import _party
from qcity.trace.schemas import TraceLotOut
from qcity.trace.service import Describer, lot_code
from qcity.web._tracing_scope import Scope, holder_of

MAX_EVENTS = 3000
MAX_NODES = 300


@dataclass
class Graph:
    """Nodes keyed by ``lot|holder`` and edges keyed by (source, target) with their kinds."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    events: list[repository.EventDetail] = field(default_factory=list)
    truncated: bool = False


def _key(lot: str, holder: str | None) -> str:
    return f"{lot}|{holder or ''}"


def _transformation_ids(session: Session, pks: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(pks), 1000):
        chunk = list(pks[start : start + 1000])
        for pk, xform in session.execute(
            select(EpcisEvent.id, EpcisEvent.transformation_id).where(
                EpcisEvent.id.in_(chunk), EpcisEvent.transformation_id.is_not(None)
            )
        ):
            out[pk] = str(xform)
    return out


class _Builder:
    def __init__(self, scope: Scope, depths: dict[str, int], graph: Graph) -> None:
        self.scope, self.depths, self.graph = scope, depths, graph
        self.visible_events: set[int] = set()

    def node(self, lot: str, holder: str | None, pk: int) -> str | None:
        if lot not in self.depths or not self.scope.sees_node(lot, holder):
            return None
        key = _key(lot, holder)
        if key not in self.graph.nodes:
            if len(self.graph.nodes) >= MAX_NODES:
                self.graph.truncated = True
                return None
            self.graph.nodes[key] = {"lot": lot, "holder": holder, "depth": self.depths[lot]}
        self.visible_events.add(pk)
        return key

    def edge(self, a: str | None, b: str | None, kind: str) -> None:
        if a is not None and b is not None and a != b:
            self.graph.edges[(a, b)].add(kind)


def build(
    session: Session, scope: Scope, rows: Sequence[TraceLotOut], event_pks: Sequence[int]
) -> Graph:
    """The graph of a trace's events, restricted to what ``scope`` may see."""
    graph = Graph()
    depths: dict[str, int] = {}
    for row in rows:
        depths[row.id] = min(row.depth, depths.get(row.id, row.depth))
    pks = list(event_pks[:MAX_EVENTS])
    graph.truncated = len(event_pks) > MAX_EVENTS
    details = repository.event_details(session, pks)
    xforms = _transformation_ids(session, pks)
    build_ = _Builder(scope, depths, graph)
    split: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(
        lambda: {"input": [], "output": []}
    )
    owner = scope.keys.lookup
    for d in details:
        here = owner(d.biz_location)[0] if d.biz_location else None
        if d.event_type == "TransformationEvent":
            group = split[xforms.get(d.pk, f"event:{d.pk}")]
            for role, lot, _q, _u in d.objects:
                if role in ("input", "output"):
                    group[role].append((lot, here))
                    build_.node(lot, here, d.pk)
            continue
        if d.event_type == "AggregationEvent":
            parent = next((lot for role, lot, *_ in d.objects if role == "parent"), None)
            for role, lot, *_ in d.objects:
                if role != "parent" and parent is not None:
                    build_.edge(
                        build_.node(lot, here, d.pk), build_.node(parent, here, d.pk), "aggregate"
                    )
            continue
        source = _owner(scope, _party(d.sources))
        target = _owner(scope, _party(d.destinations))
        moving = (d.biz_step or "") in MOVES and (source or target)
        for _role, lot, *_ in d.objects:
            if moving:
                kind = "receive" if d.biz_step == "receiving" else "ship"
                build_.edge(
                    build_.node(lot, source or here, d.pk),
                    build_.node(lot, target or here, d.pk),
                    kind,
                )
            else:
                build_.node(lot, here, d.pk)
    for group in split.values():
        for lot_in, at_in in group["input"]:
            for lot_out, at_out in group["output"]:
                build_.edge(
                    _key(lot_in, at_in) if _key(lot_in, at_in) in graph.nodes else None,
                    _key(lot_out, at_out) if _key(lot_out, at_out) in graph.nodes else None,
                    "transform",
                )
    graph.events = [d for d in details if d.pk in build_.visible_events]
    return graph


def _owner(scope: Scope, party: str | None) -> str | None:
    return None if party is None else holder_of(party, scope.keys)


def echarts(graph: Graph, describe: Describer, root_ids: set[str]) -> dict[str, Any]:
    """Nodes (categories = holders), links and legend for an ECharts ``graph`` series."""
    holders = sorted({n["holder"] or "" for n in graph.nodes.values()})
    names = {h: describe.name(h) or h or "?" for h in holders}
    index = {h: i for i, h in enumerate(holders)}
    nodes = [
        {
            "id": key,
            "name": f"{describe.product(n['lot'])} · {lot_code(n['lot'])}",
            "category": index[n["holder"] or ""],
            "value": n["depth"],
            "symbolSize": 26 if n["lot"] in root_ids else max(12, 20 - 2 * n["depth"]),
            "lot": n["lot"],
            "holder": names[n["holder"] or ""],
        }
        for key, n in graph.nodes.items()
    ]
    links = [
        {"source": a, "target": b, "kind": "/".join(sorted(kinds))}
        for (a, b), kinds in graph.edges.items()
    ]
    return {
        "nodes": nodes,
        "links": links,
        "categories": [{"name": names[h]} for h in holders],
        "truncated": graph.truncated,
    }
