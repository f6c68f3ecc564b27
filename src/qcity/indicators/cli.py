"""``qcity indicators``: the plan's indicators, their status, and reported values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.table import Table

from qcity import _cli_support as support
from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.indicators import repository, service
from qcity.indicators.schemas import IndicatorOut, IndicatorValueOut

app = support.sub_app("The plan's indicators: targets, status, trends, reported values.")

_STATUS_STYLE = {"met": "green", "at_risk": "yellow", "missed": "red", "no_data": "dim"}
_ARROW = {"up": "↑", "down": "↓", "flat": "→", None: ""}


@app.command("show")
def show(
    period: str | None = typer.Option(
        None, help="2025, 2025-Q3 or 2025-07 (default: each indicator's deadline year)."
    ),
    town: str | None = typer.Option(None, help="Town code (default: the whole city)."),
    as_of: str | None = typer.Option(None, help="Evaluate as on this day, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show every indicator with its value, status against target, trend and probability."""
    day = _date(as_of)
    with unit_of_work(support.engine()) as session:
        items = service.show(session, period, town, day)
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    _table(items)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date; use YYYY-MM-DD") from None


def _table(items: list[IndicatorOut]) -> None:
    table = Table("indicator", "period", "value", "target", "status", "trend", "P(meet)")
    for i in items:
        style = _STATUS_STYLE[i.status]
        value = "—" if i.value is None else f"{i.value:,.2f}"
        target = f"{i.comparator} {i.target:g}" if i.target is not None else i.comparator
        probability = (
            "" if i.probability_of_meeting_target is None
            else f"{i.probability_of_meeting_target:.2f}"
        )  # fmt: skip
        table.add_row(
            f"{i.name} ({i.id})",
            i.period,
            f"{value} {i.unit}",
            target,
            f"[{style}]{i.status}[/{style}]",
            _ARROW[i.trend.direction] + f" {len(i.trend.points)}",
            probability,
        )
    support.console.print(table)


@app.command("report")
def report(
    indicator_id: str = typer.Argument(..., help="Indicator id, e.g. new_smart_factories."),
    period: str = typer.Option(..., help="2025, 2025-Q3 or 2025-07."),
    value: float = typer.Option(..., help="The value, in the indicator's unit."),
    by: str = typer.Option(..., "--by", help="Who reports it."),
    town: str | None = typer.Option(None, help="Town code (default: the whole city)."),
    note: str = typer.Option("", help="Where the figure comes from."),
) -> None:
    """Report a value for an indicator, a period and a town (who and when are recorded)."""
    with unit_of_work(support.engine()) as session:
        record = service.report_value(
            session, indicator_id, period=period, value=value, reported_by=by, town=town,
            note=note,
        )  # fmt: skip
        out = IndicatorValueOut.model_validate(record)
    where = out.town_code or "city"
    typer.echo(
        f"{out.indicator_id} {out.period} {where}: {out.value:g} "
        f"(reported by {out.reported_by} at {out.reported_at.isoformat(timespec='seconds')})"
    )


@app.command("values")
def values(
    indicator_id: str = typer.Argument(..., help="Indicator id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the values reported for an indicator, newest first, with who and when."""
    with unit_of_work(support.engine()) as session:
        service.get(session, indicator_id)
        rows, _total = repository.values_page(session, indicator_id, 0, 10_000)
        out = [IndicatorValueOut.model_validate(r) for r in rows]
    if as_json:
        typer.echo(json.dumps([o.model_dump(mode="json") for o in out], ensure_ascii=False))
        return
    table = Table("period", "town", "value", "reported by", "reported at", "note")
    for o in out:
        table.add_row(
            o.period, o.town_code or "city", f"{o.value:g}", o.reported_by,
            o.reported_at.isoformat(timespec="seconds"), o.note,
        )  # fmt: skip
    support.console.print(table)


@app.command("load-plan")
def load_plan(
    file: Path | None = typer.Argument(None, help="plan_targets.csv format; built-in by default."),
) -> None:
    """Load or update the plan's indicators from a targets CSV file."""
    with unit_of_work(support.engine()) as session:
        count = service.load_plan(session, file)
    typer.echo(f"loaded {count} indicators")
