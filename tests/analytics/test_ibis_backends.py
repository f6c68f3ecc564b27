"""One Ibis expression, three engines: PostgreSQL or SQLite (through Ibis' own backends, over the
records) and DuckDB (the mart) give identical pass rates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from qcity.analytics import mart, service
from qcity.analytics.queries import PassRateQuery, pass_rate_expr, records_facts
from tests.analytics.test_mart import QUERIES


def ibis_records_backend(engine: Engine) -> Any:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        plain = make_url(url.render_as_string(hide_password=False)).set(drivername="postgres")
        return ibis.connect(plain.render_as_string(hide_password=False))
    return ibis.sqlite.connect(url.database)


@pytest.mark.parametrize("query", QUERIES)
def test_same_expression_same_numbers(
    records: Engine, tmp_path: Path, query: dict[str, str]
) -> None:
    parsed = PassRateQuery.parse(**query)
    backend = ibis_records_backend(records)
    try:
        facts = records_facts(
            backend.table("sampling_inspection"),
            backend.table("inspection_category"),
            backend.table("market_entity"),
        )
        on_records = service.finish(
            backend.to_pyarrow(pass_rate_expr(facts, parsed)).to_pylist(), parsed
        )
    finally:
        backend.disconnect()
    path = tmp_path / "analytics.duckdb"
    mart.rebuild(records, path)
    duck = ibis.duckdb.connect(str(path), read_only=True)
    try:
        on_mart = service.finish(
            duck.to_pyarrow(pass_rate_expr(duck.table("fact_inspection"), parsed)).to_pylist(),
            parsed,
        )
        table = mart.choose_table(parsed)
        on_aggregate = service.finish(
            duck.to_pyarrow(pass_rate_expr(duck.table(table), parsed)).to_pylist(), parsed
        )
    finally:
        duck.disconnect()
    with records.connect() as connection:
        compiled = service.pass_rates(connection, parsed)
    assert on_records, "the query must return rows"
    expected = [r.to_dict() for r in on_records]
    assert [r.to_dict() for r in on_mart] == expected
    assert [r.to_dict() for r in on_aggregate] == expected
    assert [r.to_dict() for r in compiled] == expected
