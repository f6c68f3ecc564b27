"""Pass rates by town, category, industry, period and source on hand-built records, on
SQLite and PostgreSQL: counts, Wilson intervals and the change against the previous period."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from qcity.analytics import service
from qcity.analytics.queries import PassRateQuery
from qcity.errors import InputError
from qcity.stats import wilson_interval
from tests.analytics.records import TOWNS, cli_app, rows_by

A, B = TOWNS
runner = CliRunner()


def rates(engine: Engine, **kwargs: str) -> list[service.PassRateRow]:
    with engine.connect() as connection:
        return service.pass_rates(connection, PassRateQuery.parse(**kwargs))


def test_by_town_and_month_with_previous_month(records: Engine) -> None:
    got = rows_by(rates(records, by="town,period"), "town", "period")
    july_a = got[(A, "2025-07")]
    assert (july_a["samples"], july_a["failed"]) == (20, 1)
    assert july_a["pass_rate"] == 0.95
    assert july_a["previous_pass_rate"] == 0.9
    assert july_a["change"] == pytest.approx(0.05)
    # January's previous month is December of the year before.
    assert got[(A, "2025-01")]["previous_pass_rate"] == 1.0
    assert got[(A, "2025-01")]["change"] == pytest.approx(-0.1)
    # No previous month for town B in July (it had samples in April only).
    assert got[(B, "2025-07")]["previous_pass_rate"] is None
    assert got[(B, "2025-07")]["change"] is None
    assert got[(A, "2025-08")]["previous_pass_rate"] == 0.95
    assert sum(r["samples"] for r in got.values()) == 63


def test_wilson_interval_of_each_group(records: Engine) -> None:
    for row in rates(records, by="town,category,period"):
        ci = wilson_interval(row.samples - row.failed, row.samples)
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_quarter_unit_within_a_period(records: Engine) -> None:
    got = rows_by(rates(records, by="category", period="2025-Q3", period_unit="quarter"),
                  "category", "period")  # fmt: skip
    assert set(got) == {("T-FOOD-1", "2025-Q3"), ("T-MFG-1", "2025-Q3")}
    food = got[("T-FOOD-1", "2025-Q3")]
    assert (food["samples"], food["failed"]) == (24, 1)
    assert food["previous_pass_rate"] == 0.9  # 2025-Q2: 9 of 10 passed
    assert got[("T-MFG-1", "2025-Q3")]["previous_pass_rate"] is None


def test_year_filtered_by_domain(records: Engine) -> None:
    got = rows_by(rates(records, by="town", period="2025", domain="food"), "town")
    assert (got[(A,)]["samples"], got[(A,)]["failed"]) == (34, 2)
    assert got[(A,)]["period"] == "2025"
    assert got[(A,)]["previous_pass_rate"] is None  # no food samples in 2024
    assert got[(B,)]["pass_rate"] == 0.5


def test_whole_month_against_the_month_before(records: Engine) -> None:
    (only,) = rates(records, period="2025-07")
    assert only.to_dict() | {"ci_low": 0, "ci_high": 0} == {
        "period": "2025-07", "samples": 25, "failed": 3, "pass_rate": 22 / 25,
        "ci_low": 0, "ci_high": 0, "previous_pass_rate": 0.9, "change": 22 / 25 - 0.9,
    }  # fmt: skip


def test_by_source_and_industry_without_period(records: Engine) -> None:
    got = rows_by(rates(records, by="source,industry"), "source", "industry")
    assert set(got) == {("市级监督抽检", None), ("市级监督抽检", "38"), ("国家监督抽检", None)}
    assert got[("市级监督抽检", "38")]["samples"] == 5
    assert "period" not in got[("国家监督抽检", None)]
    assert got[("国家监督抽检", None)]["previous_pass_rate"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "town,colour"}, "--by 'colour' is not one of"),
        ({"period": "2025-13"}, "period '2025-13'"),
        ({"domain": "toys"}, "domain 'toys'"),
        ({"period_unit": "week"}, "period unit 'week'"),
        ({"period": "2025-07", "period_unit": "year"}, "coarser"),
    ],
)
def test_bad_parameters(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        PassRateQuery.parse(**kwargs)


def test_cli_json_contract(records: Engine, cli_env: Path) -> None:
    result = runner.invoke(
        cli_app(), ["inspection", "pass-rate", "--by", "town,period", "--period", "2025-Q3",
                    "--period-unit", "month", "--domain", "food", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["town"], r["period"]) for r in data] == [(A, "2025-07"), (A, "2025-08")]
    assert set(data[0]) == {
        "town", "period", "samples", "failed", "pass_rate", "ci_low", "ci_high",
        "previous_pass_rate", "change",
    }  # fmt: skip
    assert data[0]["previous_pass_rate"] == 0.9  # June is read although outside the period
    table = runner.invoke(cli_app(), ["inspection", "pass-rate", "--by", "category"],
                          terminal_width=200)  # fmt: skip
    assert table.exit_code == 0 and "T-FOOD-1" in table.output and "95% CI" in table.output


@pytest.mark.parametrize(
    "args", [["--period", "2025-7x"], ["--by", "town,weather"], ["--period-unit", "decade"]]
)
def test_cli_bad_values_exit_2_with_one_line(cli_env: Path, args: list[str]) -> None:
    result = runner.invoke(cli_app(), ["inspection", "pass-rate", *args, "--json"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
