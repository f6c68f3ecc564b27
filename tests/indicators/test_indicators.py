"""Plan indicators on SQLite and PostgreSQL: stored definitions, computed pass rates with their
probability of meeting the target, reported values with who and when, CLI and API."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from qcity.db import unit_of_work
from qcity.errors import InputError, NotFound
from qcity.indicators import service
from qcity.indicators.models import Indicator
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.analytics.records import TOWNS, cli_app
from tests.api_authz.helpers import authorise

runner = CliRunner()


def beta_binomial_tail(passed: int, samples: int, target: float, m: int) -> float:
    """Independent: sum of C(m,y) B(y+a, m-y+b)/B(a,b) over y meeting the target (Jeffreys)."""
    a, b = passed + 0.5, samples - passed + 0.5

    def log_beta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return sum(
        math.exp(
            math.lgamma(m + 1) - math.lgamma(y + 1) - math.lgamma(m - y + 1)
            + log_beta(y + a, m - y + b) - log_beta(a, b)
        )
        for y in range(m + 1)
        if passed + y >= target * (samples + m) - 1e-9
    )  # fmt: skip


def test_every_plan_target_is_an_indicator_with_definitions_as_data(engine: Engine) -> None:
    with Session(engine) as session:
        items = {i.id: i for i in session.scalars(select(Indicator))}
    assert len(items) == 29
    computed = {k for k, i in items.items() if i.kind == "pass_rate"}
    assert computed == {
        "agri_routine_pass_rate", "food_sampling_pass_rate", "manufacturing_pass_rate",
        "consumer_goods_pass_rate", "construction_spotcheck_rate",
    }  # fmt: skip
    assert items["food_sampling_pass_rate"].definition == {
        "denominator": {"domain": ["food"]},
        "failures": {"verdict": ["fail"]},
    }
    assert items["food_sampling_pass_rate"].target == 98.5
    assert items["new_smart_factories"].definition is None
    assert "东府办〔2024〕3号" in items["new_smart_factories"].provenance


def test_food_pass_rate_for_the_year(records: Engine) -> None:
    with Session(records) as session:
        out = service.get(session, "food_sampling_pass_rate", "2025", as_of=dt.date(2026, 1, 5))
    # Food in 2025: town A 34 samples / 2 failed, town B 6 / 3.
    assert (out.samples, out.failed) == (40, 5)
    assert out.value == pytest.approx(87.5)
    assert out.status == "missed"
    # The year is over: nothing remains to sample, the target is certainly missed.
    assert out.probability_of_meeting_target == 0.0
    assert [p.period for p in out.trend.points] == ["2025"]
    assert out.trend.direction is None


def test_quarter_probability_against_an_independent_computation(records: Engine) -> None:
    with Session(records) as session:
        out = service.get(
            session, "food_sampling_pass_rate", "2025-Q3", as_of=dt.date(2025, 10, 20)
        )
    assert (out.samples, out.failed) == (24, 1)
    assert out.value == pytest.approx(100 * 23 / 24)
    # Year to date 1 Jan - 30 Sep: 40 food samples, 35 passed; 92 of 365 days remain, so
    # round(40 * 92 / 273) = 13 more samples are expected.
    expected = beta_binomial_tail(35, 40, 0.985, 13)
    assert out.probability_of_meeting_target == pytest.approx(expected, abs=1e-10)
    assert out.probability_of_meeting_target is not None
    assert out.probability_of_meeting_target < 1e-6
    assert out.status == "missed"  # 95.8 is more than the 1-point margin below 98.5
    assert [(p.period, round(p.value, 2)) for p in out.trend.points] == [
        ("2025-Q2", 75.0),
        ("2025-Q3", 95.83),
    ]
    assert out.trend.direction == "up"


def test_town_filter_and_unknown_town(records: Engine) -> None:
    with Session(records) as session:
        out = service.get(session, "manufacturing_pass_rate", "2025-07", TOWNS[1])
        assert (out.samples, out.failed, out.value) == (5, 2, 60.0)
        with pytest.raises(InputError, match="not in the registry"):
            service.get(session, "manufacturing_pass_rate", "2025", "441900999000")


def test_reported_values_with_who_and_when(records: Engine) -> None:
    first = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)
    with unit_of_work(records) as session:
        service.report_value(session, "new_smart_factories", period="2025", value=85,
                             reported_by="王五", now=first, note="工信局年报")  # fmt: skip
    with unit_of_work(records) as session:
        out = service.get(session, "new_smart_factories", "2025")
        assert (out.value, out.status, out.reported_by) == (85.0, "met", "王五")
        assert out.reported_at is not None and out.reported_at.replace(tzinfo=dt.UTC) == first
        # A later correction wins; the earlier report stays in the history.
        service.report_value(session, "new_smart_factories", period="2025", value=75,
                             reported_by="李四", now=first + dt.timedelta(days=1))  # fmt: skip
        service.report_value(session, "new_smart_factories", period="2024", value=60,
                             reported_by="李四", now=first)  # fmt: skip
        service.report_value(session, "new_smart_factories", period="2025", value=3,
                             reported_by="李四", town=TOWNS[0], now=first)  # fmt: skip
    with Session(records) as session:
        out = service.get(session, "new_smart_factories", "2025")
        town = service.get(session, "new_smart_factories", "2025", TOWNS[0])
    assert (out.value, out.status, out.reported_by) == (75.0, "at_risk", "李四")  # 72 <= 75 < 80
    assert [(p.period, p.value) for p in out.trend.points] == [("2024", 60.0), ("2025", 75.0)]
    assert out.trend.direction == "up"
    assert (town.value, town.status) == (3.0, "missed")


@pytest.mark.parametrize(
    ("indicator", "kwargs", "error", "message"),
    [
        ("food_sampling_pass_rate", {}, InputError, "computed from the inspection records"),
        ("no_such_indicator", {}, NotFound, "no indicator"),
        ("new_smart_factories", {"period": "2025-Q9"}, InputError, "period"),
        ("new_smart_factories", {"value": math.nan}, InputError, "finite"),
        ("new_smart_factories", {"reported_by": " "}, InputError, "who reports"),
    ],
)
def test_bad_reports(
    engine: Engine, indicator: str, kwargs: dict[str, object], error: type, message: str
) -> None:
    args: dict[str, object] = {"period": "2025", "value": 1.0, "reported_by": "王五"} | kwargs
    with pytest.raises(error, match=message), unit_of_work(engine) as session:
        service.report_value(session, indicator, **args)  # type: ignore[arg-type]


def test_cli_show_and_report(records: Engine, cli_env: Path) -> None:
    reported = runner.invoke(
        cli_app(),
        ["indicators", "report", "specialized_smes", "--period", "2025", "--value", "640",
         "--by", "张三"],
    )  # fmt: skip
    assert reported.exit_code == 0, reported.output
    assert "specialized_smes 2025 city: 640 (reported by 张三 at " in reported.output
    shown = runner.invoke(cli_app(), ["indicators", "show", "--period", "2025", "--json"])
    assert shown.exit_code == 0, shown.output
    data = {i["id"]: i for i in json.loads(shown.output)}
    assert len(data) == 29
    smes = data["specialized_smes"]
    assert {k: smes[k] for k in ("target", "comparator", "unit", "value", "status")} == {
        "target": 600.0, "comparator": ">=", "unit": "count", "value": 640.0, "status": "met",
    }  # fmt: skip
    food = data["food_sampling_pass_rate"]
    for key in ("id", "name", "deadline", "trend", "probability_of_meeting_target"):
        assert key in food
    assert food["status"] == "missed" and food["value"] == pytest.approx(87.5)
    table = runner.invoke(cli_app(), ["indicators", "show"], terminal_width=200)
    assert table.exit_code == 0 and "P(meet)" in table.output
    refused = runner.invoke(
        cli_app(),
        ["indicators", "report", "food_sampling_pass_rate", "--period", "2025", "--value", "99",
         "--by", "x"],
    )  # fmt: skip
    assert refused.exit_code == 2 and refused.output.startswith("error: indicator food_")
    history = runner.invoke(cli_app(), ["indicators", "values", "specialized_smes", "--json"])
    assert json.loads(history.output)[0]["reported_by"] == "张三"


def test_api(records: Engine, tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url="sqlite:///unused"), records)
    client = authorise(TestClient(app), records)
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/pass-rates", "/api/indicators", "/api/indicators/{indicator_id}",
                 "/api/indicators/{indicator_id}/values"):  # fmt: skip
        assert path in paths
    rates = client.get("/api/pass-rates", params={"by": "town,period", "period": "2025-07"})
    assert rates.status_code == 200
    body = rates.json()
    assert body["total"] == 2 and body["items"][0]["previous_pass_rate"] == 0.9
    assert client.get("/api/pass-rates", params={"period": "2025-7"}).status_code == 422
    page = client.get("/api/indicators", params={"period": "2025", "limit": 5}).json()
    assert (page["total"], len(page["items"])) == (29, 5)
    posted = client.post(
        "/api/indicators/new_smart_factories/values",
        json={"period": "2025", "value": 81, "reported_by": "王五"},
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["reported_by"] == "api-admin" and posted.json()["reported_at"]
    one = client.get("/api/indicators/new_smart_factories", params={"period": "2025"}).json()
    assert (one["value"], one["status"]) == (81.0, "met")
    assert client.get("/api/indicators/nope").status_code == 404
    refused = client.post(
        "/api/indicators/food_sampling_pass_rate/values",
        json={"period": "2025", "value": 99, "reported_by": "王五"},
    )
    assert refused.status_code == 422
    history = client.get("/api/indicators/new_smart_factories/values").json()
    assert history["total"] == 1
