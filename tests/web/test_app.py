"""The web app: health, the home page in three languages, the registry API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.db import head_revision, make_engine
from qcity.demo.service import Scale, build_demo
from qcity.settings import Settings
from qcity.web.app import create_app


def _client(engine: Engine) -> TestClient:
    settings = Settings(env="development", database_url=str(engine.url))
    return TestClient(create_app(settings, engine))


@pytest.fixture
def demo_client(engine: Engine) -> Iterator[TestClient]:
    build_demo(engine, Scale.SMALL, seed=11)
    with _client(engine) as client:
        yield client


def test_health_reports_database_and_head(engine: Engine) -> None:
    with _client(engine) as client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"] == {
        "reachable": True,
        "revision": head_revision(),
        "head": head_revision(),
        "up_to_date": True,
        "error": None,
    }


def test_health_is_503_when_behind(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with _client(engine) as client:
        response = client.get("/health")
    engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"]["revision"] is None
    assert "qcity db upgrade" in response.json()["database"]["error"]


def test_home_is_simplified_chinese_by_default(demo_client: TestClient) -> None:
    html = demo_client.get("/").text
    assert '<html lang="zh-Hans">' in html
    assert "东莞市各镇街市场主体" in html
    assert "虎门镇" in html and "20,000" in html


@pytest.mark.parametrize(
    ("accept", "lang", "title", "town"),
    [
        ("zh-TW,zh;q=0.8", "zh-Hant", "東莞市各鎮街市場主體", "虎門鎮"),
        ("zh-HK", "zh-Hant", "東莞市各鎮街市場主體", "紡織服裝、服飾業"),
        ("en-GB,en;q=0.9,zh;q=0.5", "en", "Dongguan: market entities by town", "Humen"),
        ("fr-FR, zh-CN;q=0.4", "zh-Hans", "东莞市各镇街市场主体", "虎门镇"),
    ],
)
def test_home_follows_accept_language(
    demo_client: TestClient, accept: str, lang: str, title: str, town: str
) -> None:
    response = demo_client.get("/", headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in response.text
    assert title in response.text and town in response.text
    assert response.headers["content-language"] == lang


def test_language_switch_is_remembered(demo_client: TestClient) -> None:
    switched = demo_client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Market entities" in switched.text or "market entities" in switched.text
    assert switched.cookies.get("qcity_lang") == "en"
    later = demo_client.get("/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in later.text


def test_language_links_keep_the_page_filters(demo_client: TestClient) -> None:
    html = demo_client.get("/?period=2025-Q3&town=441900003000&lang=en").text
    assert 'href="?period=2025-Q3&amp;town=441900003000&amp;lang=zh_Hant"' in html
    assert "lang=en&amp;lang" not in html


def test_home_counts_come_from_the_database(demo_client: TestClient, engine: Engine) -> None:
    from qcity.db import unit_of_work
    from qcity.registry import service

    with unit_of_work(engine) as session:
        overview = service.town_overview(session)
    humen = next(r for r in overview.towns if r.town.code == "441900121000")
    html = demo_client.get("/?lang=en").text
    row = html.split('data-town="441900121000"')[1].split("</tr>")[0]
    assert f"{humen.total:,}" in row
    assert "Manufacture of textile garments and apparel" in row  # Humen's garment cluster


def test_empty_state_explains_what_to_do(engine: Engine) -> None:
    with _client(engine) as client:
        html = client.get("/?lang=en").text
    assert "No towns loaded yet" in html and "qcity demo build" in html


def test_openapi_lists_the_registry_api(demo_client: TestClient) -> None:
    paths = demo_client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/registry/entities", "/api/registry/towns"} <= set(paths)
    assert demo_client.get("/docs").status_code == 200


def test_entities_are_paginated_filtered_and_masked(demo_client: TestClient) -> None:
    page = demo_client.get("/api/registry/entities", params={"town": "441900121000", "limit": 5})
    body = page.json()
    assert body["limit"] == 5 and len(body["items"]) == 5 and body["total"] > 5
    assert {item["town_code"] for item in body["items"]} == {"441900121000"}
    assert all("*" in item["legal_representative"] for item in body["items"])
    uscc = body["items"][0]["uscc"]
    assert demo_client.get(f"/api/registry/entities/{uscc}").json()["uscc"] == uscc
    missing = demo_client.get("/api/registry/entities/91441900MA00000000")
    assert missing.status_code == 404 and "no market entity" in missing.json()["detail"]
    assert demo_client.get("/api/registry/entities", params={"limit": 0}).status_code == 422


def test_uscc_check_endpoint(demo_client: TestClient) -> None:
    body = demo_client.get("/api/registry/uscc/914403001922038217").json()
    assert body == {
        "code": "914403001922038217",
        "valid": False,
        "reason": "check character is '7', expected '6'",
        "expected": "6",
    }
