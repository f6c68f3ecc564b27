"""Traces over hand-built edge lists: movement, transformation, containment, cycles, balance."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcity.tracegraph import BatchBuilder, Flow, TraceGraph, flow_of


def graph(*builders: BatchBuilder) -> TraceGraph:
    g = TraceGraph()
    for b in builders:
        g.add(b.build())
    return g


def lots(result: object) -> dict[str, int]:
    return {lot.identifier: lot.depth for lot in result.lots}  # type: ignore[attr-defined]


def shipping_chain() -> BatchBuilder:
    b = BatchBuilder()
    b.sight("L", 1, 101, holder="farm", location="farm:field", quantity=100, uom="KGM",
            flow=Flow.PRODUCED)  # fmt: skip
    b.sight("L", 2, 102, holder="proc", source="farm", quantity=100, uom="KGM", flow=Flow.SHIPPED)
    b.sight("L", 3, 103, holder="proc", location="proc:dock", quantity=100, uom="KGM",
            flow=Flow.RECEIVED)  # fmt: skip
    return b


def test_shipping_and_receiving_move_the_lot_to_its_new_holder() -> None:
    g = graph(shipping_chain())
    forward = g.forward("L")
    assert lots(forward) == {"L": 0}
    assert forward.events == (101, 102, 103)
    (position,) = forward.lots[0].positions
    assert (position.holder, position.location, position.quantity) == ("proc", "proc:dock", 100)
    assert g.forward("L", at=2).events == (102, 103)  # only at or after the time of interest
    assert g.backward("L", at=2).events == (101, 102)  # only before
    assert g.forward("unknown").lots == ()


def test_split_shipments_give_one_position_per_holder() -> None:
    b = shipping_chain()
    b.sight("L", 4, 104, holder="shopA", source="proc", quantity=30, flow=Flow.SHIPPED)
    b.sight("L", 5, 105, holder="shopB", source="proc", quantity=50, flow=Flow.SHIPPED)
    b.sight("L", 6, 106, holder="shopB", quantity=50, flow=Flow.RECEIVED)
    held = {p.holder: p.quantity for p in graph(b).forward("L").lots[0].positions}
    assert held == {"proc": 20, "shopA": 30, "shopB": 50}


def test_positions_follow_batches_added_after_a_trace() -> None:
    g = TraceGraph()
    g.add(shipping_chain().build(), merge=False)
    assert [p.holder for p in g.forward("L").lots[0].positions] == ["proc"]
    later = BatchBuilder()
    later.sight("L", 7, 107, holder="shop", source="proc", quantity=100, uom="KGM",
                flow=Flow.SHIPPED)  # fmt: skip
    later.sight("L", 8, 108, holder="shop", location="shop:shelf", quantity=100, uom="KGM",
                flow=Flow.RECEIVED)  # fmt: skip
    g.add(later.build(), merge=False)
    assert len(g.segments) == 2  # the holders are worked out over both segments
    (position,) = g.forward("L").lots[0].positions
    assert (position.holder, position.location, position.quantity, position.last_seen) == (
        "shop", "shop:shelf", 100, 8,
    )  # fmt: skip
    g.compact()
    assert g.forward("L").lots[0].positions == (position,)


def test_a_lot_nobody_holds_stays_with_its_last_holder_at_zero() -> None:
    b = shipping_chain()
    b.sight("L", 4, 104, holder="proc", quantity=100, flow=Flow.CONSUMED)
    (position,) = graph(b).forward("L").lots[0].positions
    assert (position.holder, position.location, position.quantity, position.last_seen) == (
        "proc", "proc:dock", 0.0, 4,
    )  # fmt: skip


def transformation_chain() -> BatchBuilder:
    b = shipping_chain()
    b.sight("M", 1, 201, holder="proc", quantity=10, flow=Flow.PRODUCED)
    # L (40 kg) and M (10 kg) made into O (50 kg) at t=5; O made into P at t=8
    b.transform("L", "O", 5, 5, 301, 301, input_quantity=40, output_quantity=50)
    b.transform("M", "O", 5, 5, 301, 301, input_quantity=10, output_quantity=50)
    b.sight("L", 5, 301, holder="proc", quantity=40, flow=Flow.CONSUMED)
    b.sight("M", 5, 301, holder="proc", quantity=10, flow=Flow.CONSUMED)
    b.sight("O", 5, 301, holder="proc", quantity=50, flow=Flow.PRODUCED)
    b.transform("O", "P", 8, 9, 401, 402)
    # an older transformation consumed P before O existed: time order forbids reaching it
    b.transform("P", "Q", 7, 7, 501, 501)
    return b


def test_transformations_link_inputs_to_outputs_in_time_order() -> None:
    g = graph(transformation_chain())
    assert lots(g.forward("L")) == {"L": 0, "O": 1, "P": 2}
    assert 501 not in g.forward("L").events
    assert lots(g.backward("P")) == {"P": 0, "O": 1, "L": 2, "M": 2}
    assert lots(g.backward("Q")) == {"Q": 0, "P": 1}  # P was produced after Q was made
    assert lots(g.forward("L", at=6)) == {"L": 0}  # L was consumed at 5, before the trace starts
    assert lots(g.forward("L", max_depth=1)) == {"L": 0, "O": 1}
    assert lots(g.siblings("P")) == {"L": 0, "M": 0, "O": 0, "P": 0, "Q": 1}
    quantities = {lot.identifier: lot.positions[0].quantity for lot in g.forward("L").lots[:2]}
    assert quantities["L"] == 60  # 100 received - 40 consumed
    assert quantities["O"] == 50


def aggregation_chain() -> BatchBuilder:
    b = BatchBuilder()
    for child, t in (("a", 10), ("b", 15), ("c", 30)):
        b.sight(child, t - 5, 600 + t, holder="packer", flow=Flow.PRODUCED)
        b.contain("pallet", child, t, 700 + t, add=True)
        b.sight(child, t, 700 + t, holder="packer")
        b.sight("pallet", t, 700 + t, holder="packer")
    b.contain("pallet", "a", 20, 720, add=False)
    b.sight("a", 20, 720, holder="packer")
    b.sight("pallet", 20, 720, holder="packer")
    b.sight("pallet", 12, 812, holder="dc", source="packer", flow=Flow.SHIPPED)
    b.sight("pallet", 25, 825, holder="shop", source="dc", flow=Flow.SHIPPED)
    return b


def test_a_pallet_at_a_moment_reaches_only_what_it_held_then() -> None:
    g = graph(aggregation_chain())
    assert set(lots(g.forward("pallet", at=16))) == {"pallet", "a", "b"}  # c added at 30
    assert set(lots(g.forward("pallet", at=25))) == {"pallet", "b"}  # a removed at 20
    assert set(lots(g.backward("pallet", at=12))) == {"pallet", "a"}  # b added at 15
    assert set(lots(g.forward("pallet"))) == {"pallet", "a", "b", "c"}


def test_a_child_passes_through_its_parent_only_while_contained() -> None:
    g = graph(aggregation_chain())
    forward_a = g.forward("a")
    assert set(lots(forward_a)) == {"a", "pallet"}
    assert 812 in forward_a.events  # shipped while inside
    assert 825 not in forward_a.events  # the pallet moved on after a was taken out
    assert 725 not in forward_a.events  # c's packing is not a's business
    assert 825 in g.forward("b").events
    assert set(lots(g.backward("b"))) == {"b", "pallet"}
    assert 812 not in g.backward("b").events  # shipped before b was packed
    # b is still in the pallet, which went to the shop after b was last seen
    assert g.forward("b").lots[0].positions[0].holder == "shop"
    assert g.forward("a").lots[0].positions[0].holder == "packer"


def test_returns_and_rework_cycles_terminate() -> None:
    b = BatchBuilder()
    b.sight("L", 0, 1, holder="A", flow=Flow.PRODUCED, quantity=5)
    b.sight("L", 1, 2, holder="B", source="A", flow=Flow.SHIPPED, quantity=5)
    b.sight("L", 2, 3, holder="A", source="B", flow=Flow.SHIPPED, quantity=5)  # returned
    b.sight("L", 3, 4, holder="C", source="A", flow=Flow.SHIPPED, quantity=5)
    b.transform("L", "R", 4, 4, 5, 5)  # rework and back
    b.transform("R", "L", 5, 5, 6, 6)
    g = graph(b)
    forward = g.forward("L")
    assert lots(forward) == {"L": 0, "R": 1}
    assert forward.events == (1, 2, 3, 4, 5, 6)
    assert lots(g.backward("L")) == {"L": 0, "R": 1}
    assert [p.holder for p in forward.lots[0].positions] == ["C"]


def test_incremental_batches_and_saved_index_give_the_same_traces(tmp_path: Path) -> None:
    whole = graph(aggregation_chain())
    first, second = BatchBuilder(), BatchBuilder()
    first.contain("pallet", "a", 10, 1, add=True)
    first.contain("pallet", "b", 10, 1, add=True)
    first.sight("pallet", 11, 2, holder="dc")
    second.contain("pallet", None, 20, 3, add=False)  # empties the pallet
    second.sight("pallet", 21, 4, holder="shop")
    g = graph(first, second)
    assert len(g.segments) == 1  # the small second segment was merged
    assert set(lots(g.forward("pallet", at=22))) == {"pallet"}
    assert 4 not in g.forward("a").events
    path = tmp_path / "trace.npz"
    whole.save(path, database="test")
    loaded, meta = TraceGraph.load(path)
    assert meta == {"database": "test"}
    for root in ("a", "b", "c", "pallet"):
        assert loaded.forward(root) == whole.forward(root)
        assert loaded.backward(root, at=16) == whole.backward(root, at=16)


def test_mass_balance_flags_counts_beyond_tolerance() -> None:
    b = BatchBuilder()
    b.sight("L", 1, 1, holder="P", quantity=100, flow=Flow.PRODUCED)
    b.sight("L", 2, 2, holder="D", source="P", quantity=60, flow=Flow.SHIPPED)
    b.sight("L", 3, 3, holder="D", quantity=60, flow=Flow.RECEIVED)
    b.sight("L", 4, 4, holder="D", quantity=50, flow=Flow.COUNTED)  # 10 kg missing
    b.sight("L", 4, 5, holder="P", quantity=40, flow=Flow.COUNTED)  # as booked
    b.sight("L", 6, 6, holder="E", source="D", quantity=50, flow=Flow.SHIPPED)  # after the count
    b.sight("X", 1, 7, holder="Q", quantity=5, flow=Flow.PRODUCED)
    b.sight("X", 2, 8, holder="R", source="Q", quantity=8, flow=Flow.SHIPPED)  # more than made
    g = graph(b)
    rows = {(r.lot, r.holder): r for r in g.mass_balance(relative=0.02).rows()}
    d = rows[("L", "D")]
    assert (d.received, d.shipped, d.on_hand, d.expected, d.discrepancy) == (60, 0, 50, 60, 10)
    assert d.flagged
    assert not rows[("L", "P")].flagged and rows[("L", "P")].discrepancy == 0
    assert rows[("X", "Q")].flagged and rows[("X", "Q")].discrepancy == -3
    assert not rows[("L", "E")].flagged
    relaxed = {(r.lot, r.holder) for r in g.mass_balance(relative=0.2).rows(flagged_only=True)}
    assert relaxed == {("X", "Q")}  # 10/60 = 17 % is within 20 %
    assert not g.mass_balance(absolute=15).rows(flagged_only=True)


@pytest.mark.parametrize(
    ("event_type", "action", "step", "role", "flow"),
    [
        ("ObjectEvent", "OBSERVE", "shipping", "epc", Flow.SHIPPED),
        ("ObjectEvent", "OBSERVE", "receiving", "epc", Flow.RECEIVED),
        ("ObjectEvent", "ADD", "commissioning", "epc", Flow.PRODUCED),
        ("ObjectEvent", "OBSERVE", "cycle_counting", "epc", Flow.COUNTED),
        ("TransformationEvent", None, "transforming", "input", Flow.CONSUMED),
        ("TransformationEvent", None, "transforming", "output", Flow.PRODUCED),
        ("AggregationEvent", "ADD", "packing", "child", Flow.OTHER),
        ("AggregationEvent", "ADD", "packing", "parent", Flow.PRODUCED),
        ("AggregationEvent", "DELETE", "unpacking", "parent", Flow.CONSUMED),
        ("ObjectEvent", "OBSERVE", "recalled", "epc", Flow.OTHER),
    ],
)
def test_flow_of_cbv_steps(
    event_type: str, action: str | None, step: str, role: str, flow: Flow
) -> None:
    assert flow_of(event_type, action, step, role) is flow
