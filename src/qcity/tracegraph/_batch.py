"""Normalised events as the trace graph takes them: sightings, transformations, containment.

An EPCIS event becomes rows of three kinds, built with :class:`BatchBuilder`:

* a *sighting*: an identifier named by an event at a time, with the holder after the event,
  the source it came from (shipping), the business location, a quantity and what the event did
  to the quantity at that holder (:class:`Flow`);
* a *transformation edge*: an input identifier consumed into an output identifier (one
  TransformationEvent, or two events sharing a transformationID), with both times and quantities;
* a *containment record*: an AggregationEvent/AssociationEvent ADD or DELETE of a child in a
  parent (a DELETE naming no child removes every child).

Times are integers (microseconds since the epoch, UTC, by convention); event keys are integers
(the database's event primary keys). Strings (identifiers, parties, locations, units) are interned
by the graph when a batch is added.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


class Flow(enum.IntEnum):
    """What a sighting did to the quantity of its identifier at its holder."""

    OTHER = 0  # seen, quantity unchanged (inspecting, storing, packing...)
    PRODUCED = 1  # commissioned or a transformation output at the holder
    SHIPPED = 2  # left ``source`` for ``holder`` (the destination)
    RECEIVED = 3  # arrived at the holder
    CONSUMED = 4  # a transformation input, or destroyed, at the holder
    COUNTED = 5  # an inventory count: the quantity on hand at the holder


SHIPPING_STEPS = frozenset({"shipping", "departing", "returning"})
RECEIVING_STEPS = frozenset({"receiving", "arriving", "accepting"})
PRODUCING_STEPS = frozenset({"commissioning", "creating_class_instance"})
CONSUMING_STEPS = frozenset({"destroying", "decommissioning", "dispensing", "retail_selling"})


def flow_of(event_type: str, action: str | None, biz_step: str | None, role: str) -> Flow:
    """The :class:`Flow` of one identifier in one event, from CBV short names."""
    if role == "input":
        return Flow.CONSUMED
    if role == "output":
        return Flow.PRODUCED
    if role == "parent" and event_type == "AggregationEvent":
        # a logistic unit is made by packing and ends by unpacking
        if action == "ADD" and biz_step == "packing":
            return Flow.PRODUCED
        if action == "DELETE" and biz_step == "unpacking":
            return Flow.CONSUMED
        return Flow.OTHER
    if role != "epc" or event_type not in ("ObjectEvent", "TransactionEvent"):
        return Flow.OTHER
    step = biz_step or ""
    if step in SHIPPING_STEPS:
        return Flow.SHIPPED
    if step in RECEIVING_STEPS:
        return Flow.RECEIVED
    if step in CONSUMING_STEPS or (action == "DELETE" and event_type == "ObjectEvent"):
        return Flow.CONSUMED
    if step in PRODUCING_STEPS or (action == "ADD" and event_type == "ObjectEvent"):
        return Flow.PRODUCED
    if action == "OBSERVE" and step in ("cycle_counting", "inventory", "storing", "inspecting"):
        return Flow.COUNTED
    return Flow.OTHER


@dataclass(frozen=True)
class EventBatch:
    """Columns of sightings, transformation edges and containment records (strings not interned).

    Missing strings are ``None``; missing quantities NaN.
    """

    sight_node: list[str]
    sight_time: npt.NDArray[np.int64]
    sight_event: npt.NDArray[np.int64]
    sight_holder: list[str | None]
    sight_source: list[str | None]
    sight_location: list[str | None]
    sight_quantity: npt.NDArray[np.float64]
    sight_uom: list[str | None]
    sight_flow: npt.NDArray[np.int8]
    xf_input: list[str]
    xf_output: list[str]
    xf_input_time: npt.NDArray[np.int64]
    xf_output_time: npt.NDArray[np.int64]
    xf_input_event: npt.NDArray[np.int64]
    xf_output_event: npt.NDArray[np.int64]
    xf_input_quantity: npt.NDArray[np.float64]
    xf_output_quantity: npt.NDArray[np.float64]
    ct_parent: list[str]
    ct_child: list[str | None]
    ct_time: npt.NDArray[np.int64]
    ct_event: npt.NDArray[np.int64]
    ct_add: npt.NDArray[np.bool_]
    last_event: int = -1  # the highest event key the batch covers (for incremental refresh)

    @property
    def size(self) -> int:
        return len(self.sight_node) + len(self.xf_input) + len(self.ct_parent)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


@dataclass
class BatchBuilder:
    """Collects rows in plain lists; :meth:`build` turns them into an :class:`EventBatch`."""

    _s_node: list[str] = field(default_factory=list)
    _s_time: list[int] = field(default_factory=list)
    _s_event: list[int] = field(default_factory=list)
    _s_holder: list[str | None] = field(default_factory=list)
    _s_source: list[str | None] = field(default_factory=list)
    _s_location: list[str | None] = field(default_factory=list)
    _s_quantity: list[float] = field(default_factory=list)
    _s_uom: list[str | None] = field(default_factory=list)
    _s_flow: list[int] = field(default_factory=list)
    _x_in: list[str] = field(default_factory=list)
    _x_out: list[str] = field(default_factory=list)
    _x_in_time: list[int] = field(default_factory=list)
    _x_out_time: list[int] = field(default_factory=list)
    _x_in_event: list[int] = field(default_factory=list)
    _x_out_event: list[int] = field(default_factory=list)
    _x_in_qty: list[float] = field(default_factory=list)
    _x_out_qty: list[float] = field(default_factory=list)
    _c_parent: list[str] = field(default_factory=list)
    _c_child: list[str | None] = field(default_factory=list)
    _c_time: list[int] = field(default_factory=list)
    _c_event: list[int] = field(default_factory=list)
    _c_add: list[bool] = field(default_factory=list)
    last_event: int = -1

    def sight(
        self,
        identifier: str,
        time: int,
        event: int,
        *,
        holder: str | None = None,
        source: str | None = None,
        location: str | None = None,
        quantity: float | None = None,
        uom: str | None = None,
        flow: Flow = Flow.OTHER,
    ) -> None:
        """``identifier`` seen by ``event`` at ``time``; ``holder`` holds it afterwards."""
        self._s_node.append(identifier)
        self._s_time.append(time)
        self._s_event.append(event)
        self._s_holder.append(holder)
        self._s_source.append(source)
        self._s_location.append(location)
        self._s_quantity.append(_nan(quantity))
        self._s_uom.append(uom)
        self._s_flow.append(int(flow))
        self.last_event = max(self.last_event, event)

    def transform(
        self,
        input_id: str,
        output_id: str,
        input_time: int,
        output_time: int,
        input_event: int,
        output_event: int,
        *,
        input_quantity: float | None = None,
        output_quantity: float | None = None,
    ) -> None:
        """``input_id`` (consumed at ``input_time``) went into ``output_id``."""
        self._x_in.append(input_id)
        self._x_out.append(output_id)
        self._x_in_time.append(input_time)
        self._x_out_time.append(output_time)
        self._x_in_event.append(input_event)
        self._x_out_event.append(output_event)
        self._x_in_qty.append(_nan(input_quantity))
        self._x_out_qty.append(_nan(output_quantity))
        self.last_event = max(self.last_event, input_event, output_event)

    def contain(self, parent: str, child: str | None, time: int, event: int, *, add: bool) -> None:
        """``child`` put in (``add``) or taken out of ``parent``; ``child=None`` empties it."""
        self._c_parent.append(parent)
        self._c_child.append(child)
        self._c_time.append(time)
        self._c_event.append(event)
        self._c_add.append(add)
        self.last_event = max(self.last_event, event)

    def __len__(self) -> int:
        return len(self._s_node) + len(self._x_in) + len(self._c_parent)

    def build(self) -> EventBatch:
        i64, f64 = np.int64, np.float64
        return EventBatch(
            sight_node=self._s_node,
            sight_time=np.asarray(self._s_time, dtype=i64),
            sight_event=np.asarray(self._s_event, dtype=i64),
            sight_holder=self._s_holder,
            sight_source=self._s_source,
            sight_location=self._s_location,
            sight_quantity=np.asarray(self._s_quantity, dtype=f64),
            sight_uom=self._s_uom,
            sight_flow=np.asarray(self._s_flow, dtype=np.int8),
            xf_input=self._x_in,
            xf_output=self._x_out,
            xf_input_time=np.asarray(self._x_in_time, dtype=i64),
            xf_output_time=np.asarray(self._x_out_time, dtype=i64),
            xf_input_event=np.asarray(self._x_in_event, dtype=i64),
            xf_output_event=np.asarray(self._x_out_event, dtype=i64),
            xf_input_quantity=np.asarray(self._x_in_qty, dtype=f64),
            xf_output_quantity=np.asarray(self._x_out_qty, dtype=f64),
            ct_parent=self._c_parent,
            ct_child=self._c_child,
            ct_time=np.asarray(self._c_time, dtype=i64),
            ct_event=np.asarray(self._c_event, dtype=i64),
            ct_add=np.asarray(self._c_add, dtype=np.bool_),
            last_event=self.last_event,
        )
