"""``/epcis``: capture needs the upload permission, jobs are their creator's, queries the
bureau's."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api_authz.conftest import City

JSON_LD = {"Content-Type": "application/ld+json"}


def _document(serial: int) -> bytes:
    event = {
        "type": "ObjectEvent", "eventTime": "2025-10-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00", "epcList": [f"urn:epc:id:sgtin:6930000.000001.{serial}"],
        "action": "OBSERVE", "bizStep": "inspecting",
    }  # fmt: skip
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0",
        "creationDate": "2025-10-01T08:00:00Z", "epcisBody": {"eventList": [event]},
    }  # fmt: skip
    return json.dumps(document).encode()


def test_anonymous_callers_are_refused(client: TestClient, city: City) -> None:
    assert client.post("/epcis/capture", content=_document(1), headers=JSON_LD).status_code == 401
    assert client.post("/epcis/events", content=_document(1), headers=JSON_LD).status_code == 401
    assert client.get("/epcis/events").status_code == 401
    assert client.get("/epcis/capture/1").status_code == 401


def test_capture_needs_the_upload_permission(client: TestClient, city: City) -> None:
    refused = client.post(
        "/epcis/capture", content=_document(1), headers={**JSON_LD, **city.as_("analyst")}
    )
    assert refused.status_code == 403
    for who, serial in (("ent_a", 2), ("insp_nancheng", 3), ("admin", 4)):
        response = client.post(
            "/epcis/capture", content=_document(serial), headers={**JSON_LD, **city.as_(who)}
        )
        assert response.status_code == 202, (who, response.text)


def test_a_job_is_shown_to_its_creator_and_admins(client: TestClient, city: City) -> None:
    made = client.post(
        "/epcis/capture", content=_document(5), headers={**JSON_LD, **city.as_("ent_a")}
    )
    location = made.headers["Location"]
    assert client.get(location, headers=city.as_("ent_a")).json()["success"] is True
    assert client.get(location, headers=city.as_("admin")).status_code == 200
    for who in ("ent_b", "insp_nancheng", "analyst"):
        refused = client.get(location, headers=city.as_(who))
        unknown = client.get("/epcis/capture/999999", headers=city.as_(who))
        assert refused.status_code == unknown.status_code == 404, who


def test_event_queries_are_for_the_bureau(client: TestClient, city: City) -> None:
    single = client.post(
        "/epcis/events", content=json.dumps(json.loads(_document(6))["epcisBody"]["eventList"][0]
                                            | {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]}).encode(),
        headers={**JSON_LD, **city.as_("ent_a")},
    )  # fmt: skip
    assert single.status_code == 201, single.text
    for who in ("ent_a", "insp_nancheng"):
        assert client.get("/epcis/events", headers=city.as_(who)).status_code == 403
        assert client.get(single.headers["Location"], headers=city.as_(who)).status_code == 403
    for who in ("analyst", "admin"):
        found = client.get("/epcis/events", headers=city.as_(who))
        events = found.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert found.status_code == 200 and len(events) == 1
        assert client.get(single.headers["Location"], headers=city.as_(who)).status_code == 200
