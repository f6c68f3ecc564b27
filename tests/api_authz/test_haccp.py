"""``/api/haccp``: a CCP and everything under it belong to the CCP's enterprise; ``/api/spc``
stays open (stateless calculations)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.api_authz.conftest import City

H = "/api/haccp"


def _ccp(uscc: str) -> dict[str, object]:
    return {
        "uscc": uscc, "product": "低温肉制品", "step": "cooling", "hazard": "growth",
        "upper_limit": 4.0, "unit": "°C", "monitoring_frequency": "hourly",
    }  # fmt: skip


def _record(value: float, hour: int) -> dict[str, object]:
    return {"value": value, "measured_at": f"2026-11-27T{hour:02d}:00:00+08:00"}


@dataclass(frozen=True)
class Haccp:
    ccp: dict[str, int]  # "a", "c" -> CCP id
    deviation: dict[str, int]  # "a", "c" -> deviation id


@pytest.fixture
def haccp(client: TestClient, city: City) -> Haccp:
    """A CCP with a closed deviation and a sign-off for A (Dongcheng) and for C (Nancheng),
    written by the enterprises themselves."""
    ccps, deviations = {}, {}
    for key, uscc in (("a", city.registry.uscc_a), ("c", city.registry.uscc_c)):
        me = city.as_(f"ent_{key}")
        ccp_id = client.post(f"{H}/ccps", json=_ccp(uscc), headers=me).json()["id"]
        made = client.post(f"{H}/ccps/{ccp_id}/records", json=_record(6.0, 9), headers=me)
        deviation_id = made.json()["deviation"]["id"]
        action = {"deviation_id": deviation_id, "action": "re-chilled",
                  "taken_at": "2026-11-27T10:00:00+08:00"}  # fmt: skip
        assert client.post(f"{H}/corrective-actions", json=action, headers=me).status_code == 201
        sign = {"ccp_id": ccp_id, "period_start": "2026-11-27T00:00:00+08:00",
                "period_end": "2026-11-27T12:00:00+08:00",
                "verified_at": "2026-11-27T13:00:00+08:00"}  # fmt: skip
        assert client.post(f"{H}/verifications", json=sign, headers=me).status_code == 201
        ccps[key], deviations[key] = ccp_id, deviation_id
    return Haccp(ccps, deviations)


SEES = {
    "admin": {"a", "c"},
    "analyst": {"a", "c"},
    "ent_a": {"a"},
    "ent_b": set(),
    "ent_c": {"c"},
    "insp_nancheng": {"c"},
    "insp_dongcheng": {"a"},
}


def test_anonymous_callers_are_refused(client: TestClient, haccp: Haccp) -> None:
    ccp = haccp.ccp["a"]
    for path in (f"{H}/ccps", f"{H}/ccps/{ccp}", f"{H}/ccps/{ccp}/records", f"{H}/deviations",
                 f"{H}/corrective-actions", f"{H}/verifications"):  # fmt: skip
        assert client.get(path).status_code == 401, path
    assert client.post(f"{H}/ccps/{ccp}/records", json=_record(1, 8)).status_code == 401


def test_spc_stays_open(client: TestClient) -> None:
    plan = client.post("/api/spc/sampling-plan", json={"lot_size": 1000, "aql": 1.0})
    assert plan.status_code == 200 and plan.json()["sample_size"] == 80


@pytest.mark.parametrize("who", sorted(SEES))
def test_reads_follow_the_owner(client: TestClient, city: City, haccp: Haccp, who: str) -> None:
    me, seen = city.as_(who), SEES[who]
    ids = {key: haccp.ccp[key] for key in seen}
    assert {c["id"] for c in client.get(f"{H}/ccps", headers=me).json()} == set(ids.values())
    deviations = client.get(f"{H}/deviations", headers=me).json()
    assert {d["ccp_id"] for d in deviations} == set(ids.values())
    actions = client.get(f"{H}/corrective-actions", headers=me).json()
    assert {a["deviation_id"] for a in actions} == {haccp.deviation[k] for k in seen}
    signed = client.get(f"{H}/verifications", headers=me).json()
    assert {v["ccp_id"] for v in signed} == set(ids.values())
    for key in ("a", "c"):
        ccp, deviation = haccp.ccp[key], haccp.deviation[key]
        paths = [f"{H}/ccps/{ccp}", f"{H}/ccps/{ccp}/records", f"{H}/deviations/{deviation}",
                 f"{H}/deviations?ccp_id={ccp}", f"{H}/verifications?ccp_id={ccp}",
                 f"{H}/corrective-actions?deviation_id={deviation}"]  # fmt: skip
        expected = 200 if key in seen else 404
        assert [client.get(p, headers=me).status_code for p in paths] == [expected] * len(paths)


def test_writes_need_the_owner(client: TestClient, city: City, haccp: Haccp) -> None:
    a, c = haccp.ccp["a"], haccp.ccp["c"]
    ent_a, inspector = city.as_("ent_a"), city.as_("insp_nancheng")
    # another enterprise's CCP is not found, whatever the write
    assert (
        client.post(f"{H}/ccps/{c}/records", json=_record(1, 8), headers=ent_a).status_code == 404
    )
    action = {"deviation_id": haccp.deviation["c"], "action": "x",
              "taken_at": "2026-11-27T11:00:00+08:00"}  # fmt: skip
    assert client.post(f"{H}/corrective-actions", json=action, headers=ent_a).status_code == 404
    sign = {"ccp_id": c, "period_start": "2026-11-28T00:00:00+08:00",
            "period_end": "2026-11-28T12:00:00+08:00",
            "verified_at": "2026-11-28T13:00:00+08:00"}  # fmt: skip
    assert client.post(f"{H}/verifications", json=sign, headers=ent_a).status_code == 404
    assert (
        client.post(f"{H}/ccps/{a}/records", json=_record(1, 8), headers=inspector).status_code
        == 404
    )
    # creating a CCP for someone else is refused
    other = _ccp(city.registry.uscc_b)
    assert client.post(f"{H}/ccps", json=other, headers=ent_a).status_code == 403
    assert client.post(f"{H}/ccps", json=other, headers=inspector).status_code == 403
    # the analyst reads everything and writes nothing
    analyst = city.as_("analyst")
    assert client.post(f"{H}/ccps", json=other, headers=analyst).status_code == 403
    assert (
        client.post(f"{H}/ccps/{a}/records", json=_record(1, 8), headers=analyst).status_code == 403
    )
    # allowed writers: the inspector in its towns, the admin anywhere
    assert (
        client.post(f"{H}/ccps/{c}/records", json=_record(1, 8), headers=inspector).status_code
        == 201
    )
    assert client.post(f"{H}/ccps", json=other, headers=city.as_("admin")).status_code == 201
    records = client.get(f"{H}/ccps/{c}/records", headers=city.as_("ent_c")).json()
    assert [r["value"] for r in records] == [1.0, 6.0]
    assert len(client.get(f"{H}/ccps/{a}/records", headers=ent_a).json()) == 1


def test_the_caller_is_recorded_not_the_body(client: TestClient, city: City, haccp: Haccp) -> None:
    c, ent_c, inspector = haccp.ccp["c"], city.as_("ent_c"), city.as_("insp_nancheng")
    assert client.post(f"{H}/ccps/{c}/records", json=_record(1, 8), headers=inspector).is_success
    spoofed = {**_record(2, 9), "recorded_by": "ent-c"}
    refused = client.post(f"{H}/ccps/{c}/records", json=spoofed, headers=inspector)
    assert refused.status_code == 422 and "not you (insp-n)" in refused.json()["detail"]
    records = client.get(f"{H}/ccps/{c}/records", headers=ent_c).json()
    assert [(r["value"], r["recorded_by"]) for r in records] == [(1.0, "insp-n"), (6.0, "ent-c")]
    deviation = client.get(f"{H}/deviations/{haccp.deviation['c']}", headers=ent_c).json()
    assert [a["taken_by"] for a in deviation["corrective_actions"]] == ["ent-c"]
    signed = client.get(f"{H}/verifications?ccp_id={c}", headers=ent_c).json()
    assert [v["verified_by"] for v in signed] == ["ent-c"]
