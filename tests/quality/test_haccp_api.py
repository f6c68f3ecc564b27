"""``/api/haccp`` on SQLite and PostgreSQL: the whole monitoring cycle over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.quality.conftest import VALID_USCC

ADMIN = "api-admin"  # the user whose API token the haccp_client sends

CCP = {
    "uscc": VALID_USCC,
    "product": "低温肉制品",
    "step": "cooling",
    "hazard": "C. perfringens growth",
    "upper_limit": 4.0,
    "unit": "°C",
    "monitoring_frequency": "hourly",
}


def test_monitoring_deviation_action_and_sign_off(haccp_client: TestClient) -> None:
    created = haccp_client.post("/api/haccp/ccps", json=CCP)
    assert created.status_code == 201, created.text
    ccp_id = created.json()["id"]
    records = f"/api/haccp/ccps/{ccp_id}/records"
    ok = haccp_client.post(
        records, json={"value": 4.0, "measured_at": "2026-11-27T08:00:00+08:00"}
    ).json()
    assert ok["deviation"] is None and ok["recorded_by"] == ADMIN
    bad = haccp_client.post(
        records,
        json={"value": 6.5, "measured_at": "2026-11-27T09:00:00+08:00", "recorded_by": ADMIN},
    ).json()
    deviation = bad["deviation"]
    assert (deviation["direction"], deviation["breached_limit"], deviation["status"]) == (
        "above", 4.0, "open",
    )  # fmt: skip
    listed = haccp_client.get(records).json()
    assert [r["value"] for r in listed] == [4.0, 6.5]
    assert listed[0]["measured_at"] == "2026-11-27T00:00:00Z"  # stored in UTC
    opened = haccp_client.get("/api/haccp/deviations", params={"status": "open"}).json()
    assert [d["id"] for d in opened] == [deviation["id"]]

    sign_off = {
        "ccp_id": ccp_id, "period_start": "2026-11-27T00:00:00+08:00",
        "period_end": "2026-11-27T23:59:59+08:00", "verified_at": "2026-11-28T09:00:00+08:00",
    }  # fmt: skip
    refused = haccp_client.post("/api/haccp/verifications", json=sign_off)
    assert refused.status_code == 409
    assert "open deviation" in refused.json()["detail"]

    action = {
        "deviation_id": deviation["id"], "action": "moved product to the backup chiller",
        "taken_at": "2026-11-27T09:20:00+08:00",
        "product_disposition": "held for microbiological testing",
    }  # fmt: skip
    assert haccp_client.post("/api/haccp/corrective-actions", json=action).status_code == 201
    closed = haccp_client.get(f"/api/haccp/deviations/{deviation['id']}").json()
    assert closed["status"] == "closed" and closed["corrective_actions"][0]["taken_by"] == ADMIN
    assert haccp_client.get("/api/haccp/deviations", params={"status": "open"}).json() == []
    assert len(haccp_client.get("/api/haccp/corrective-actions").json()) == 1

    signed = haccp_client.post("/api/haccp/verifications", json=sign_off)
    assert signed.status_code == 201, signed.text
    assert (
        haccp_client.get("/api/haccp/verifications", params={"ccp_id": ccp_id}).json()[0][
            "verified_by"
        ]
        == ADMIN
    )


def test_errors_are_json_with_the_right_status(haccp_client: TestClient) -> None:
    assert haccp_client.get("/api/haccp/ccps/999").status_code == 404
    no_limits = {**CCP, "upper_limit": None}
    response = haccp_client.post("/api/haccp/ccps", json=no_limits)
    assert response.status_code == 422 and "critical limit" in response.json()["detail"]
    ccp_id = haccp_client.post("/api/haccp/ccps", json=CCP).json()["id"]
    naive = {"value": 1.0, "measured_at": "2026-11-27T08:00:00"}
    assert haccp_client.post(f"/api/haccp/ccps/{ccp_id}/records", json=naive).status_code == 422
    listed = haccp_client.get("/api/haccp/ccps", params={"uscc": VALID_USCC}).json()
    assert [c["id"] for c in listed] == [ccp_id]


def test_a_name_other_than_the_caller_is_refused(haccp_client: TestClient) -> None:
    ccp_id = haccp_client.post("/api/haccp/ccps", json=CCP).json()["id"]
    record = {"value": 6.0, "measured_at": "2026-11-27T08:00:00+08:00", "recorded_by": "张三"}
    refused = haccp_client.post(f"/api/haccp/ccps/{ccp_id}/records", json=record)
    assert refused.status_code == 422
    assert "recorded_by '张三' is not you (api-admin)" in refused.json()["detail"]
    assert haccp_client.get(f"/api/haccp/ccps/{ccp_id}/records").json() == []
    made = haccp_client.post(
        f"/api/haccp/ccps/{ccp_id}/records", json={**record, "recorded_by": ADMIN}
    ).json()
    action = {"deviation_id": made["deviation"]["id"], "action": "re-chilled",
              "taken_by": "shift lead", "taken_at": "2026-11-27T09:00:00+08:00"}  # fmt: skip
    refused = haccp_client.post("/api/haccp/corrective-actions", json=action)
    assert refused.status_code == 422 and "taken_by" in refused.json()["detail"]
    sign = {"ccp_id": ccp_id, "period_start": "2026-11-26T00:00:00+08:00",
            "period_end": "2026-11-26T12:00:00+08:00", "verified_by": "HACCP team leader",
            "verified_at": "2026-11-26T13:00:00+08:00"}  # fmt: skip
    refused = haccp_client.post("/api/haccp/verifications", json=sign)
    assert refused.status_code == 422 and "verified_by" in refused.json()["detail"]
    assert haccp_client.get("/api/haccp/verifications").json() == []
