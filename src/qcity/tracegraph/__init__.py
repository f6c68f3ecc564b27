"""The trace graph: a pure, in-memory index of traceability events (no database, no web).

Lots and objects (identifiers) are nodes interned to integers; events become sightings,
transformation edges and time-bounded containment intervals, kept as CSR arrays sorted by
(node, time). Traces are breadth-first walks over those arrays that respect time order and
containment windows and stop on cycles.
"""

from qcity.tracegraph._batch import BatchBuilder, EventBatch, Flow, flow_of
from qcity.tracegraph._graph import (
    BalanceRow,
    MassBalance,
    Position,
    TracedLot,
    TraceGraph,
    TraceResult,
)
from qcity.tracegraph._segment import ALWAYS, NEVER

__all__ = [
    "ALWAYS",
    "NEVER",
    "BalanceRow",
    "BatchBuilder",
    "EventBatch",
    "Flow",
    "MassBalance",
    "Position",
    "TraceGraph",
    "TraceResult",
    "TracedLot",
    "flow_of",
]
