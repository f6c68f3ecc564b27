"""``/api/indicators``: read by any logged-in user, reported by admins and analysts as
themselves."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api_authz.conftest import City

VALUES = "/api/indicators/new_smart_factories/values"


def test_reading_needs_a_login(client: TestClient, city: City) -> None:
    for path in ("/api/indicators", "/api/indicators/new_smart_factories", VALUES):
        assert client.get(path).status_code == 401
        for who in ("ent_a", "insp_nancheng", "analyst"):
            assert client.get(path, headers=city.as_(who)).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "ent_a", "insp_nancheng"])
def test_reporting_is_refused(client: TestClient, city: City, who: str) -> None:
    body = {"period": "2025", "value": 81, "reported_by": "王五"}
    response = client.post(VALUES, json=body, headers=city.as_(who))
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert client.get(VALUES, headers=city.as_("admin")).json()["total"] == 0


def test_the_reporter_is_the_authenticated_user(client: TestClient, city: City) -> None:
    claimed = {"period": "2025", "value": 81, "reported_by": "王五"}
    posted = client.post(VALUES, json=claimed, headers=city.as_("analyst"))
    assert posted.status_code == 201, posted.text
    assert posted.json()["reported_by"] == "analyst"
    unnamed = client.post(VALUES, json={"period": "2024", "value": 60}, headers=city.as_("admin"))
    assert unnamed.status_code == 201 and unnamed.json()["reported_by"] == "boss"
    history = client.get(VALUES, headers=city.as_("ent_a")).json()["items"]
    assert sorted(row["reported_by"] for row in history) == ["analyst", "boss"]
