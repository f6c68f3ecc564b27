"""Traces from the EPCIS tables on SQLite and PostgreSQL: movement, transformation, pallets."""

from __future__ import annotations

from sqlalchemy import Engine

from qcity.db import unit_of_work
from qcity.epcis._identifiers import urn_to_digital_link
from qcity.trace import service
from qcity.trace._demo import Emitter
from qcity.trace.repository import insert_events
from tests.trace.conftest import T0, Chain


def test_forward_and_backward_through_transformation_pallet_and_shipping(
    engine: Engine, chain: Chain
) -> None:
    shop, dist = chain.parties["shop"], chain.parties["dist"]
    with unit_of_work(engine) as session:
        out, _ = service.trace(session, chain.farm_lot, "forward")
        by_id = {}
        for lot in out.lots:
            by_id.setdefault(lot.id, []).append(lot)
        assert set(by_id) == {chain.farm_lot, chain.product, chain.pallet}
        assert by_id[chain.farm_lot][0].depth == 0 and by_id[chain.product][0].depth == 1
        held = {lot.holder: lot for lot in by_id[chain.product]}
        assert held[shop.uscc].quantity == 35  # 40 delivered, 5 returned
        assert held[shop.uscc].town == shop.town and held[shop.uscc].product == "速冻水饺"
        assert held[dist.uscc].quantity == 85  # 120 - 40 + 5
        assert all(e.startswith("urn:qcity:demo:trace:") for e in out.events)
        back, _ = service.trace(session, chain.product, "backward")
        assert {lot.id for lot in back.lots} == {chain.product, chain.farm_lot, chain.farm_lot2,
                                                 chain.pallet}  # fmt: skip
        split, _ = service.trace(session, chain.split_output, "backward")
        assert {lot.id for lot in split.lots} == {chain.split_output, chain.split_input}


def test_identifiers_as_digital_link_and_qcity_lot_urn(engine: Engine, chain: Chain) -> None:
    farm = chain.parties["farm"]
    with unit_of_work(engine) as session:
        graph = service.trace_graph(session)
        link = urn_to_digital_link(chain.farm_lot)
        assert service.resolve_identifier(session, graph, link) == [chain.farm_lot]
        batch = f"urn:qcity:lot:{farm.uscc}:A1"
        assert service.resolve_identifier(session, graph, batch) == [chain.farm_lot]


def test_the_index_refreshes_with_newer_events(engine: Engine, chain: Chain) -> None:
    shop = chain.parties["shop"]
    with unit_of_work(engine) as session:
        before, _ = service.trace(session, chain.product, "forward")
    out = Emitter(serial=1000)
    out.emit("ObjectEvent", T0.replace(month=11), step="destroying", disposition="destroyed",
             location=shop.sgln, quantities=((chain.product, 30.0, "KGM"),))  # fmt: skip
    with unit_of_work(engine) as session:
        insert_events(session.connection(), out.events)
    with unit_of_work(engine) as session:
        after, _ = service.trace(session, chain.product, "forward")
    assert len(after.events) == len(before.events) + 1
    held = {lot.holder: lot.quantity for lot in after.lots if lot.id == chain.product}
    assert held.get(shop.uscc, 0) == 5
