"""Towns (/towns, /towns/{code}, /towns/{code}/categories/{cat}): numbers, drill-down, scope."""

from __future__ import annotations

import math
import re
from pathlib import Path

from sqlalchemy import Engine

from qcity.analytics import mart
from tests.accounts.helpers import DONGCHENG, NANCHENG, add_user
from tests.web.analysis_data import expected, fast_hasher, logged_in, seed_city

__all__ = ["fast_hasher"]


def _wilson(passed: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval in closed form (Wilson 1927; z = the 97.5 % normal quantile)."""
    p = passed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _cells(html: str, marker: str) -> dict[str, str]:
    row = html.split(marker)[1].split("</tr>")[0]
    return dict(re.findall(r"data-(samples|failed|rate|interval|change)>([^<]*)<", row))


def test_towns_match_an_independent_count(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/towns?period=2025&lang=en").text
    samples, failed = expected(city.rows, year=2025, town=DONGCHENG)
    assert (samples, failed) == (14, 3)
    cells = _cells(html, f'data-town="{DONGCHENG}"')
    assert cells["samples"] == "14" and cells["failed"] == "3"
    assert cells["rate"] == f"{100 * (samples - failed) / samples:.2f}%"
    low, high = _wilson(samples - failed, samples)
    assert cells["interval"] == f"{100 * low:.2f}% – {100 * high:.2f}%"
    before_samples, before_failed = expected(city.rows, year=2024, town=DONGCHENG)
    change = (samples - failed) / samples - (before_samples - before_failed) / before_samples
    assert cells["change"].startswith(f"{100 * change:+.2f}")
    assert 'data-chart="rates"' in html and 'id="towns-chart"' in html


def test_domain_filter(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/towns?period=2025&domain=manufactured&lang=en").text
    assert f'data-town="{DONGCHENG}"' not in html
    samples, _ = expected(city.rows, year=2025, town=NANCHENG, domain="manufactured")
    assert _cells(html, f'data-town="{NANCHENG}"')["samples"] == str(samples) == "5"


def test_drill_down_to_categories_and_entities(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    towns = client.get("/towns?period=2025&lang=en").text
    assert f'href="/towns/{DONGCHENG}?period=2025"' in towns
    town = client.get(f"/towns/{DONGCHENG}?period=2025&lang=en").text
    cells = _cells(town, f'data-category="{city.food}"')
    assert (int(cells["samples"]), int(cells["failed"])) == expected(
        city.rows, year=2025, town=DONGCHENG, category=city.food
    )
    link = f"/towns/{DONGCHENG}/categories/{city.food}?period=2025"
    assert f'href="{link}"' in town
    entities = client.get(link + "&lang=en").text
    for uscc in (city.registry.uscc_a, city.registry.uscc_b):
        row = entities.split(f'data-entity="{uscc}"')[1].split("</tr>")[0]
        samples, failed = expected(city.rows, year=2025, town=DONGCHENG, entity=uscc)
        assert f"data-samples>{samples}<" in row and f"data-failed>{failed}<" in row
        assert f"unit={uscc}" in row and "/inspections?" in row


def test_inspector_sees_only_own_towns(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "inspector")  # Nancheng
    html = client.get("/towns?period=2025").text
    assert f'data-town="{NANCHENG}"' in html and f'data-town="{DONGCHENG}"' not in html
    assert client.get(f"/towns/{DONGCHENG}").status_code == 404
    assert client.get(f"/towns/{DONGCHENG}/categories/{city.food}").status_code == 404
    assert client.get(f"/towns/{NANCHENG}?period=2025").status_code == 200


def test_enterprise_user_sees_no_town_pages(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "ent_a")  # an entity in Dongcheng
    html = client.get("/towns?period=2025&lang=en").text
    assert 'data-empty="enterprise"' in html and "data-town=" not in html
    town = client.get(f"/towns/{DONGCHENG}?lang=en").text
    assert 'data-empty="enterprise"' in town and "data-category=" not in town
    entities = client.get(f"/towns/{DONGCHENG}/categories/{city.food}?lang=en").text
    assert "data-entity=" not in entities


def test_unknown_town_and_bad_period(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    assert client.get("/towns/441900999000").status_code == 404
    response = client.get("/towns?period=25&lang=en")
    assert response.status_code == 422 and "use e.g. 2025" in response.text


def test_empty_state(engine: Engine, tmp_path: Path) -> None:
    add_user(engine, "analyst", "analyst")
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/towns?lang=en").text
    assert 'data-empty="no-inspections"' in html and "qcity demo build" in html


def test_towns_from_the_mart_equal_the_records(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    from_records = client.get("/towns?period=2025&lang=en").text
    mart.rebuild(engine, tmp_path / mart.MART_FILE)
    from_mart = client.get("/towns?period=2025&lang=en").text
    assert 'data-source="mart"' in from_mart and 'data-source="records"' in from_records
    for town in (DONGCHENG, NANCHENG):
        marker = f'data-town="{town}"'
        assert _cells(from_mart, marker) == _cells(from_records, marker)
