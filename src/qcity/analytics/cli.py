"""``qcity analytics``: the DuckDB mart; and the ``qcity inspection pass-rate`` command.

``pass_rate_command`` is registered on the inspection sub-app by ``qcity.cli``
(``inspection_app.command("pass-rate")(pass_rate_command)``).
"""

from __future__ import annotations

import json

import typer
from rich.table import Table

from qcity import _cli_support as support
from qcity.analytics import mart, service
from qcity.analytics.queries import BY_NAMES, DOMAINS, PassRateQuery
from qcity.db import unit_of_work

app = support.sub_app("Analytics: the DuckDB mart built from the inspection records.")


@app.command("rebuild")
def rebuild(
    full: bool = typer.Option(False, "--full", help="Rebuild from scratch, not incrementally."),
) -> None:
    """Build or update the analytics mart (QCITY_DATA_DIR/analytics.duckdb), atomically."""
    result = mart.rebuild(support.engine(), full=full)
    typer.echo(
        f"{result.path}: {result.mode} build, {result.loaded:,} inspections loaded, "
        f"{result.rows:,} in the mart"
    )


def pass_rate_command(
    by: str | None = typer.Option(
        None, "--by", help="Group by any of " + ",".join(BY_NAMES) + " (comma-separated)."
    ),
    period: str | None = typer.Option(None, help="Only this period: 2025, 2025-Q3 or 2025-07."),
    domain: str | None = typer.Option(None, help="Only this domain: " + "|".join(DOMAINS) + "."),
    period_unit: str | None = typer.Option(
        None, "--period-unit", help="month|quarter|year for the period key (default month)."
    ),
    town: str | None = typer.Option(None, help="Only this town (code)."),
    from_mart: bool = typer.Option(
        False, "--mart", help="Read the analytics mart instead of the database."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Pass rates with Wilson 95 % intervals and the change against the previous period."""
    query = PassRateQuery.parse(by, period, domain, period_unit, town)
    if from_mart:
        with mart.open_mart() as con:
            rows = service.pass_rates_from_mart(con, query)
    else:
        with unit_of_work(support.engine()) as session:
            rows = service.pass_rates(session, query)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
        return
    keys = list(rows[0].keys) if rows else list(query.by)
    table = Table(*keys, "samples", "failed", "pass rate", "95% CI", "previous", "change")
    for r in rows:
        previous = "" if r.previous_pass_rate is None else f"{r.previous_pass_rate:.2%}"
        change = "" if r.change is None else f"{100 * r.change:+.2f} pt"
        table.add_row(
            *(v or "" for v in r.keys.values()),
            f"{r.samples:,}",
            f"{r.failed:,}",
            f"{r.pass_rate:.2%}",
            f"{r.ci_low:.2%}–{r.ci_high:.2%}",
            previous,
            change,
        )
    support.console.print(table)
