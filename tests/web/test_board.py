"""The indicator board (/indicators): values against a recount, filters, empty state, the mart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qcity.analytics import mart
from qcity.analytics._towns import RateReader
from qcity.db import unit_of_work
from qcity.indicators import service
from qcity.indicators._board import board
from tests.accounts.helpers import DONGCHENG, NANCHENG, add_user
from tests.web.analysis_data import expected, fast_hasher, logged_in, seed_city

__all__ = ["fast_hasher"]
AS_OF = dt.date(2025, 7, 31)


def _row(html: str, indicator: str) -> str:
    return html.split(f'data-indicator="{indicator}"')[1].split("</tr>")[0]


def _value(html: str, indicator: str) -> str:
    match = re.search(r"data-value>([^<]*)<", _row(html, indicator))
    assert match, f"no value cell for {indicator}"
    return match.group(1).strip()


def test_board_values_match_an_independent_count(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/indicators?period=2025&lang=en").text
    samples, failed = expected(city.rows, year=2025, domain="food")
    assert (samples, failed) == (18, 3)
    assert _value(html, "food_sampling_pass_rate") == f"{100 * (samples - failed) / samples:.2f} %"
    row = _row(html, "food_sampling_pass_rate")
    assert f"{samples} ({failed})" in row
    assert 'data-band="missed"' in row and "Missed" in row  # 83.33 < 98.5 - 1
    m_samples, m_failed = expected(city.rows, year=2025, domain="manufactured")
    assert (
        _value(html, "manufacturing_pass_rate")
        == "80.00 %"
        == (f"{100 * (m_samples - m_failed) / m_samples:.2f} %")
    )
    assert html.count("data-indicator=") == 29  # every plan target
    assert 'data-chart="spark"' in _row(html, "food_sampling_pass_rate")  # 2024 and 2025
    assert _value(html, "new_smart_factories") == "—"
    assert 'data-band="no_data"' in _row(html, "new_smart_factories")


def test_town_filter_recounts_for_the_town(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get(f"/indicators?period=2025&town={NANCHENG}&lang=en").text
    samples, failed = expected(city.rows, year=2025, domain="food", town=NANCHENG)
    assert (samples, failed) == (4, 0)
    assert _value(html, "food_sampling_pass_rate") == "100.00 %"
    assert f'value="{NANCHENG}" selected' in html


def test_reported_value_appears(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    client.get("/indicators?lang=en")  # fills the cache
    with unit_of_work(engine) as session:
        service.report_value(
            session, "new_smart_factories", period="2025", value=85, reported_by="经信局"
        )
    html = client.get("/indicators?lang=en").text
    assert _value(html, "new_smart_factories") == "85"
    assert 'data-band="met"' in _row(html, "new_smart_factories")


def test_bad_period_says_what_to_fix(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    response = client.get("/indicators?period=2025-13&lang=en")
    assert response.status_code == 422
    assert "has no month 13" in response.text and 'role="alert"' in response.text


def test_inspector_cannot_filter_by_another_town(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    client = logged_in(engine, tmp_path, "inspector")
    assert client.get(f"/indicators?town={DONGCHENG}").status_code == 404
    html = client.get(f"/indicators?town={NANCHENG}").text
    assert f'value="{DONGCHENG}"' not in html


def test_empty_state_names_the_commands(engine: Engine, tmp_path: Path) -> None:
    add_user(engine, "analyst", "analyst")
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/indicators?lang=en").text
    assert 'data-empty="no-inspections"' in html
    for command in ("qcity demo build", "qcity inspection import", "qcity analytics rebuild"):
        assert command in html


def test_anonymous_visitor_is_sent_to_login(engine: Engine, tmp_path: Path) -> None:
    from tests.web.analysis_data import client_for

    response = client_for(engine, tmp_path).get("/indicators", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("period", ["2025", "2025-Q2", "2024"])
def test_mart_board_equals_records_board(engine: Engine, tmp_path: Path, period: str) -> None:
    seed_city(engine)
    mart.rebuild(engine, tmp_path / mart.MART_FILE)
    reader = RateReader(engine, tmp_path / mart.MART_FILE)
    assert reader.source.kind == "mart"
    with Session(engine) as session:
        from_mart = board(session, reader, period, None, AS_OF)
        from_records = service.show(session, period, None, AS_OF)
    assert [i.model_dump() for i in from_mart] == [i.model_dump() for i in from_records]


def test_mart_of_another_database_is_ignored(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    mart.rebuild(engine, tmp_path / mart.MART_FILE)
    from qcity.db import make_engine

    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert RateReader(other, tmp_path / mart.MART_FILE).source.kind == "records"
    other.dispose()


def test_page_reads_the_mart_when_built(engine: Engine, tmp_path: Path) -> None:
    seed_city(engine)
    mart.rebuild(engine, tmp_path / mart.MART_FILE)
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/indicators?period=2025&lang=en").text
    assert "Pass rates from the analytics mart" in html
    assert _value(html, "food_sampling_pass_rate") == "83.33 %"
