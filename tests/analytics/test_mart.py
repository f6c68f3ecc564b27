"""The DuckDB mart: full and incremental builds from SQLite and PostgreSQL, atomic swaps."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from qcity.analytics import mart, service
from qcity.analytics.queries import PassRateQuery
from qcity.errors import NotFound
from qcity.inspection.models import SamplingInspection
from tests.analytics.records import NOW, TOWNS, Batch, add_batches, cli_app

QUERIES = [
    {"by": "town,period"},
    {"by": "category,industry,source", "period": "2025"},
    {"by": "town", "period": "2025-Q3", "period_unit": "month", "domain": "food"},
    {"period": "2025-07"},
]


def facts(path: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT * FROM fact_inspection ORDER BY id").fetchall()


def test_full_build_denormalises_every_inspection(records: Engine, tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    result = mart.rebuild(records, path)
    assert (result.mode, result.loaded, result.rows, result.last_id) == ("full", 63, 63, 63)
    rows = facts(path)
    first = dict(zip(mart.FACT_ARROW.names, rows[0], strict=True))
    assert first | {"imported_at": None} == {
        "id": 1, "sampling_date": dt.date(2025, 6, 3), "year": 2025, "quarter": 2, "month": 6,
        "town_code": TOWNS[0], "category_code": "T-FOOD-1", "domain": "food",
        "industry_code": None, "task_source": "市级监督抽检", "size_class": "large",
        "verdict": "fail", "failed": 1, "imported_at": None,
    }  # fmt: skip
    assert first["imported_at"] == NOW.replace(tzinfo=None)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM dim_town").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM dim_category").fetchone() == (5,)
        assert con.execute("SELECT count(*) FROM dim_industry").fetchone() == (3,)
        for rollup in mart.ROLLUPS:
            assert con.execute(f"SELECT sum(samples) FROM {rollup}").fetchone() == (63,)


@pytest.mark.parametrize("query", QUERIES)
def test_mart_gives_the_numbers_of_the_records(
    records: Engine, tmp_path: Path, query: dict[str, str]
) -> None:
    path = tmp_path / "analytics.duckdb"
    mart.rebuild(records, path)
    parsed = PassRateQuery.parse(**query)
    with records.connect() as connection:
        expected = [r.to_dict() for r in service.pass_rates(connection, parsed)]
    with mart.open_mart(path) as con:
        from_agg = [r.to_dict() for r in service.pass_rates_from_mart(con, parsed)]
        for table in ("fact_inspection", *mart.ROLLUPS):
            if mart.choose_table(parsed) == "agg_monthly" and table == "agg_town_category_month":
                continue  # this rollup lacks industry and task source
            got = [r.to_dict() for r in service.pass_rates_from_mart(con, parsed, table)]
            assert got == expected, table
    assert from_agg == expected


def test_queries_read_the_smallest_table_that_answers() -> None:
    def table(**kwargs: str) -> str:
        return mart.choose_table(PassRateQuery.parse(**kwargs))

    assert table(by="town,category,period") == "agg_town_category_month"
    assert table(by="town", domain="food", period="2025") == "agg_town_category_month"
    assert table(by="source") == "agg_monthly"
    assert table(by="industry", town=TOWNS[0]) == "agg_monthly"


def test_incremental_build_loads_new_and_reimported_records(
    records: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "analytics.duckdb"
    mart.rebuild(records, path)
    later = NOW + dt.timedelta(days=3)
    add_batches(records, [Batch(dt.date(2025, 9, 1), TOWNS[1], "T-CON-1", 7, 1)], later)
    with records.begin() as c:  # a re-import changes the verdict of inspection 2
        c.execute(
            update(SamplingInspection)
            .where(SamplingInspection.id == 2)
            .values(verdict="fail", imported_at=later)
        )
    result = mart.rebuild(records, path)
    assert (result.mode, result.loaded, result.rows, result.last_id) == ("incremental", 8, 70, 70)
    rows = {r[0]: r for r in facts(path)}
    assert rows[2][11:13] == ("fail", 1)
    assert rows[70][7] == "consumer"
    again = mart.rebuild(records, path)
    assert (again.mode, again.loaded, again.rows) == ("incremental", 0, 70)
    full = mart.rebuild(records, path, full=True)
    assert (full.mode, full.rows) == ("full", 70)
    assert {r[0]: r for r in facts(path)} == rows


def test_readers_see_the_old_mart_until_the_swap(records: Engine, tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    mart.rebuild(records, path)
    reader = duckdb.connect(str(path), read_only=True)
    add_batches(records, [Batch(dt.date(2025, 9, 1), TOWNS[1], "T-CON-1", 7, 1)])
    mart.rebuild(records, path)
    # The open reader still reads the file it opened, whole; new readers get the new one.
    assert reader.execute("SELECT count(*) FROM fact_inspection").fetchone() == (63,)
    reader.close()
    assert len(facts(path)) == 70
    assert not [p for p in os.listdir(tmp_path) if ".building" in p]


def test_a_failed_build_leaves_the_mart_untouched(
    records: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "analytics.duckdb"
    mart.rebuild(records, path)
    before = path.read_bytes()
    add_batches(records, [Batch(dt.date(2025, 9, 1), TOWNS[1], "T-CON-1", 7, 1)])

    def broken(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(mart, "_load_dimensions", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        mart.rebuild(records, path)
    assert path.read_bytes() == before
    assert not [p for p in os.listdir(tmp_path) if ".building" in p]


def test_missing_mart_is_a_one_line_error(tmp_path: Path) -> None:
    with (
        pytest.raises(NotFound, match="qcity analytics rebuild"),
        mart.open_mart(tmp_path / "none.duckdb"),
    ):
        pass


def test_cli_rebuild_uses_the_data_dir(records: Engine, cli_env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app(), ["analytics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "full build, 63 inspections loaded" in result.output
    assert (cli_env / "analytics.duckdb").exists()
    again = runner.invoke(cli_app(), ["analytics", "rebuild"])
    assert "incremental build, 0 inspections loaded, 63 in the mart" in again.output
    from_mart = runner.invoke(
        cli_app(), ["inspection", "pass-rate", "--by", "town", "--mart", "--json"]
    )
    from_db = runner.invoke(cli_app(), ["inspection", "pass-rate", "--by", "town", "--json"])
    assert from_mart.exit_code == 0 and from_mart.output == from_db.output
