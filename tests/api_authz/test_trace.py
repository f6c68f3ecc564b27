"""``/api/trace`` and ``/api/recalls``: the trace pages' rule (``qcity.trace._scope``) per row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.settings import Settings
from qcity.trace import service as trace_service
from qcity.web.app import create_app
from tests.api_authz.helpers import token_headers
from tests.trace.conftest import Chain, build_chain

UNKNOWN = "urn:epc:id:sgtin:6900000.0000.1"


@dataclass(frozen=True)
class World:
    client: TestClient
    chain: Chain
    headers: dict[str, dict[str, str]]

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.headers[who])

    def post(self, who: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers=self.headers[who])


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[World]:
    chain = build_chain(engine)
    parties = chain.parties
    headers = {
        "anonymous": {},
        "analyst": token_headers(engine, "analyst", "analyst"),
        "shop": token_headers(engine, "shop", "enterprise", uscc=parties["shop"].uscc),
        "farm": token_headers(engine, "farm", "enterprise", uscc=parties["farm"].uscc),
        "inspector": token_headers(engine, "insp", "inspector", towns=[parties["dist"].town]),
    }
    settings = Settings(env="development", database_url=str(engine.url), data_dir=tmp_path)  # type: ignore[arg-type]
    with TestClient(create_app(settings, engine)) as client:
        yield World(client, chain, headers)
    trace_service.forget_index()


def test_anonymous_callers_are_refused(world: World) -> None:
    chain = world.chain
    for path in (f"/api/trace/forward/{chain.product}", f"/api/trace/backward/{chain.product}",
                 "/api/trace/mass-balance", "/api/recalls", "/api/recalls/1"):  # fmt: skip
        assert world.get("anonymous", path).status_code == 401, path
    body = {"root": chain.product, "reason": "x", "started_by": "x"}
    assert world.post("anonymous", "/api/recalls", body).status_code == 401


def test_trace_rows_and_events_are_scoped(world: World) -> None:
    chain, shop = world.chain, world.chain.parties["shop"].uscc
    path = f"/api/trace/forward/{chain.product}"
    everything = world.get("analyst", path).json()
    assert {r["holder"] for r in everything["lots"]} > {shop}
    mine = world.get("shop", path)
    assert mine.status_code == 200
    assert {r["holder"] for r in mine.json()["lots"]} == {shop}
    events = mine.json()["events"]
    assert events and set(events) < set(everything["events"])
    inspector = world.get("inspector", path).json()["lots"]
    assert {r["holder"] for r in inspector} == {world.chain.parties["dist"].uscc}
    farm = world.get("farm", f"/api/trace/forward/{chain.farm_lot}").json()["lots"]
    assert farm and {r["id"] for r in farm} == {chain.farm_lot}  # its lot, not what it became


def test_a_lot_of_another_enterprise_is_not_found(world: World) -> None:
    chain = world.chain
    refused = world.get("shop", f"/api/trace/backward/{chain.farm_lot2}")
    unknown = world.get("shop", f"/api/trace/backward/{UNKNOWN}")
    assert refused.status_code == unknown.status_code == 404
    assert world.get("farm", f"/api/trace/forward/{chain.product}").status_code == 404
    assert world.get("analyst", f"/api/trace/backward/{chain.farm_lot2}").status_code == 200


def test_mass_balance_is_for_the_bureau(world: World) -> None:
    assert world.get("shop", "/api/trace/mass-balance").status_code == 403
    assert world.get("inspector", "/api/trace/mass-balance").status_code == 403
    assert world.get("analyst", "/api/trace/mass-balance").json()["flagged"] == 1


def test_recalls_are_started_by_the_bureau_and_seen_per_holder(world: World) -> None:
    chain, shop = world.chain, world.chain.parties["shop"].uscc
    body = {"root": chain.product, "reason": "沙门氏菌不合格", "started_by": "冒名者"}
    for who in ("shop", "inspector"):
        assert world.post(who, "/api/recalls", body).status_code == 403
    started = world.post("analyst", "/api/recalls", body)
    assert started.status_code == 201, started.text
    case = started.json()
    assert case["started_by"] == "analyst"
    url = f"/api/recalls/{case['id']}"
    holders = {h["holder"]: h for h in case["holder_list"]}
    dist_town = chain.parties["dist"].town
    in_town = {code for code, h in holders.items() if h["town_code"] == dist_town}
    assert shop in holders and in_town and shop not in in_town
    for who, expected in (("shop", {shop}), ("inspector", in_town)):
        assert [c["id"] for c in world.get(who, "/api/recalls").json()] == [case["id"]]
        detail = world.get(who, url).json()
        assert {h["holder"] for h in detail["holder_list"]} == expected
        assert {lot["holder"] for lot in detail["scope_lots"]} <= expected
        assert sum(detail["holder_states"].values()) == detail["holders"] == len(expected)
    assert world.get("farm", "/api/recalls").json() == []
    refused, unknown = world.get("farm", url), world.get("farm", "/api/recalls/999")
    assert refused.status_code == unknown.status_code == 404
    assert refused.json()["detail"].replace(str(case["id"]), "N") == unknown.json()[
        "detail"
    ].replace("999", "N")


def test_progress_only_for_holders_one_sees(world: World) -> None:
    chain, shop = world.chain, world.chain.parties["shop"].uscc
    body = {"root": chain.product, "reason": "不合格", "started_by": "x"}
    case = world.post("analyst", "/api/recalls", body).json()
    other = next(h for h in case["holder_list"] if h["holder"] != shop)
    base = f"/api/recalls/{case['id']}/holders"
    ack = {"state": "acknowledged", "reported_by": "冒名者"}
    for key in (other["holder"], str(other["id"])):
        assert world.post("shop", f"{base}/{key}/progress", ack).status_code == 404
    assert world.post("farm", f"{base}/{shop}/progress", ack).status_code == 404
    own = world.post("shop", f"{base}/{shop}/progress", ack)
    assert own.status_code == 200 and own.json()["state"] == "acknowledged"
    assert own.json()["progress"][-1]["reported_by"] == "shop"
    states = {
        h["holder"]: h["state"]
        for h in world.get("analyst", f"/api/recalls/{case['id']}").json()["holder_list"]
    }
    assert states[other["holder"]] == "notified" and states[shop] == "acknowledged"
