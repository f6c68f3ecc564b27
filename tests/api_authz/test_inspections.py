"""``/api/inspections`` and ``/api/pass-rates``: scoped like the inspections and towns pages."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from qcity.inspection._layouts import TEMPLATE
from tests.accounts.helpers import DONGCHENG, NANCHENG
from tests.api_authz.conftest import City
from tests.inspection.test_import import template_row

HEADERS = [c.header for c in TEMPLATE]

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


@pytest.mark.parametrize("who", ["ent_a", "ent_c"])
def test_enterprise_users_may_not_import(client: TestClient, city: City, who: str) -> None:
    response = client.post("/api/inspections/import", files=_upload(), headers=city.as_(who))
    assert response.status_code == 403 and "inspector" in response.json()["detail"]
    assert _ids(client, city, "admin") == {1, 2, 3}


def test_admin_reaches_the_importer(client: TestClient, city: City) -> None:
    upload = {"file": ("notes.txt", io.BytesIO(b"x"), "text/plain")}
    response = client.post("/api/inspections/import", files=upload, headers=city.as_("admin"))
    assert response.status_code == 422 and "unsupported file type" in response.json()["detail"]


def _upload() -> dict[str, tuple[str, io.BytesIO, str]]:
    """A template table: row 2 sampled in Dongcheng, row 3 in Nancheng."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerow(template_row(1, town="东城"))
    writer.writerow(template_row(2, town="南城"))
    return {"file": ("towns.csv", io.BytesIO(out.getvalue().encode("utf-8")), "text/csv")}


def test_an_inspector_imports_only_rows_of_its_towns(client: TestClient, city: City) -> None:
    me = city.as_("insp_dongcheng")
    response = client.post("/api/inspections/import", files=_upload(), headers=me)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["landed"], body["rejected"]) == (1, 1)
    [rejected] = body["rejects"]
    assert rejected["row"] == 3 and rejected["cells"]["所在镇街"] == "南城"
    assert rejected["reason"] == f"row 3: 所在镇街: town_code {NANCHENG} is outside your towns"
    assert len(_ids(client, city, "insp_dongcheng")) == 3  # 1, 2 and the new one
    assert _ids(client, city, "insp_nancheng") == {3}
    as_file = client.post(
        "/api/inspections/import", files=_upload(), params={"rejects": "file"}, headers=me
    )
    assert as_file.headers["X-Qcity-Import-Already-Present"] == "1"
    assert "outside your towns" in as_file.content.decode("utf-8-sig")


def test_analysts_import_every_town(client: TestClient, city: City) -> None:
    response = client.post("/api/inspections/import", files=_upload(), headers=city.as_("analyst"))
    assert response.status_code == 200, response.text
    assert (response.json()["landed"], response.json()["rejected"]) == (2, 0)
    assert len(_ids(client, city, "insp_nancheng")) == 2  # 3 and the new one


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
