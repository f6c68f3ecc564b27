"""``/api/inspections`` and ``/api/pass-rates``: scoped like the inspections and towns pages."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import DONGCHENG, NANCHENG
from tests.api_authz.conftest import City

SEEN = {
    "admin": {1, 2, 3},
    "analyst": {1, 2, 3},
    "ent_a": {1},  # the sampled unit
    "ent_b": {2},  # the nominal manufacturer
    "ent_c": {3},
    "insp_nancheng": {3},
    "insp_dongcheng": {1, 2},
}


def _ids(client: TestClient, city: City, who: str) -> set[int]:
    response = client.get("/api/inspections", headers=city.as_(who))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_anonymous_callers_are_refused(client: TestClient, city: City) -> None:
    assert client.get("/api/inspections").status_code == 401
    assert client.get("/api/inspections/1").status_code == 401
    assert client.get("/api/pass-rates").status_code == 401
    upload = {"file": ("x.csv", io.BytesIO(b"a,b\n"), "text/csv")}
    assert client.post("/api/inspections/import", files=upload).status_code == 401
    assert client.get("/api/inspection-categories").status_code == 200  # reference data


@pytest.mark.parametrize("who", sorted(SEEN))
def test_lists_and_details_follow_the_scope(client: TestClient, city: City, who: str) -> None:
    assert _ids(client, city, who) == SEEN[who]
    for ident in (1, 2, 3):
        detail = client.get(f"/api/inspections/{ident}", headers=city.as_(who))
        if ident in SEEN[who]:
            assert detail.status_code == 200 and detail.json()["items"]
        else:  # refused exactly like an inspection that does not exist
            missing = client.get("/api/inspections/999", headers=city.as_(who))
            assert detail.status_code == missing.status_code == 404
            assert detail.json()["detail"].replace(str(ident), "N") == missing.json()[
                "detail"
            ].replace("999", "N")


def test_filters_never_widen_the_scope(client: TestClient, city: City) -> None:
    asked = client.get("/api/inspections", params={"town": NANCHENG}, headers=city.as_("ent_a"))
    assert asked.status_code == 200 and asked.json()["items"] == []
    failed = client.get("/api/inspections", params={"verdict": "fail"}, headers=city.as_("ent_b"))
    assert [i["id"] for i in failed.json()["items"]] == [2]


@pytest.mark.parametrize("who", ["ent_a", "insp_dongcheng", "analyst"])
def test_import_is_for_admins(client: TestClient, city: City, who: str) -> None:
    upload = {"file": ("x.csv", io.BytesIO(b"a,b\n"), "text/csv")}
    assert (
        client.post("/api/inspections/import", files=upload, headers=city.as_(who)).status_code
        == 403
    )


def test_admin_reaches_the_importer(client: TestClient, city: City) -> None:
    upload = {"file": ("notes.txt", io.BytesIO(b"x"), "text/plain")}
    response = client.post("/api/inspections/import", files=upload, headers=city.as_("admin"))
    assert response.status_code == 422 and "unsupported file type" in response.json()["detail"]


def _towns(client: TestClient, city: City, who: str, **params: str) -> dict[str, int]:
    response = client.get("/api/pass-rates", params={"by": "town", **params}, headers=city.as_(who))
    assert response.status_code == 200, response.text
    return {row["town"]: row["samples"] for row in response.json()["items"]}


def test_pass_rates_by_role(client: TestClient, city: City) -> None:
    everything = {DONGCHENG: 2, NANCHENG: 1}
    assert _towns(client, city, "admin") == _towns(client, city, "analyst") == everything
    assert _towns(client, city, "insp_nancheng") == {NANCHENG: 1}
    assert _towns(client, city, "insp_dongcheng") == {DONGCHENG: 2}
    assert _towns(client, city, "insp_nancheng", town=NANCHENG) == {NANCHENG: 1}
    outside = client.get(
        "/api/pass-rates", params={"town": DONGCHENG}, headers=city.as_("insp_nancheng")
    )
    assert outside.status_code == 404
    whole = client.get("/api/pass-rates", headers=city.as_("insp_nancheng")).json()["items"]
    assert [row["samples"] for row in whole] == [1]  # the city total is cut to its towns too
    refused = client.get("/api/pass-rates", headers=city.as_("ent_a"))
    assert refused.status_code == 403
