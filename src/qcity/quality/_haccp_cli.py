"""``qcity haccp``: critical control points, monitoring, deviations, actions, sign-off."""

from __future__ import annotations

import datetime as dt

import typer
from rich.table import Table as RichTable

from qcity import _cli_support as support
from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.quality import repository, service
from qcity.quality._cli_output import emit_json, print_pairs
from qcity.quality.schemas import (
    CcpOut,
    CorrectiveActionOut,
    DeviationOut,
    RecordOut,
    VerificationOut,
)

haccp_app = support.sub_app(
    "HACCP: critical control points, monitoring records, deviations, corrective actions."
)

JSON_HELP = "Print one JSON object on stdout instead of a table."
TIME_HELP = "ISO 8601 time, e.g. 2026-11-27T08:30+08:00 (no zone: local time)"


def parse_time(text: str | None, name: str) -> dt.datetime:
    """An aware datetime from ISO 8601 text (local time when no zone is given; now if None)."""
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} {text!r} is not an ISO 8601 time; {TIME_HELP}") from None
    return value if value.tzinfo is not None else value.astimezone()


@haccp_app.command("add-ccp")
def add_ccp(
    uscc: str = typer.Option(..., help="Enterprise unified social credit code."),
    product: str = typer.Option(..., help="Product or process."),
    step: str = typer.Option(..., help="Process step, e.g. 'pasteurisation'."),
    hazard: str = typer.Option(..., help="Hazard controlled, e.g. 'Listeria survival'."),
    lower: float | None = typer.Option(None, help="Lower critical limit."),
    upper: float | None = typer.Option(None, help="Upper critical limit."),
    unit: str = typer.Option(..., help="Unit of the limits, e.g. °C."),
    frequency: str = typer.Option(..., help="Monitoring frequency, e.g. 'every batch'."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Register a critical control point with its critical limits."""
    with unit_of_work(support.engine()) as session:
        ccp = service.create_ccp(
            session, uscc=uscc, product=product, step=step, hazard=hazard, lower_limit=lower,
            upper_limit=upper, unit=unit, monitoring_frequency=frequency,
        )  # fmt: skip
    out = CcpOut.model_validate(ccp)
    if as_json:
        emit_json(out.model_dump(mode="json"))
        return
    print_pairs(f"critical control point {out.id}", list(out.model_dump().items()))


@haccp_app.command("ccps")
def ccps(
    uscc: str | None = typer.Option(None, help="Only this enterprise's CCPs."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List critical control points."""
    with unit_of_work(support.engine()) as session:
        rows = [CcpOut.model_validate(c) for c in repository.ccps(session, uscc)]
    if as_json:
        emit_json({"ccps": [r.model_dump(mode="json") for r in rows]})
        return
    table = RichTable("id", "uscc", "product", "step", "hazard", "limits", "frequency")
    for r in rows:
        limits = f"{r.lower_limit if r.lower_limit is not None else '-∞'} .. "
        limits += f"{r.upper_limit if r.upper_limit is not None else '+∞'} {r.unit}"
        table.add_row(
            str(r.id), r.uscc, r.product, r.step, r.hazard, limits, r.monitoring_frequency
        )
    support.console.print(table)


@haccp_app.command("record")
def record(
    ccp_id: int = typer.Argument(..., help="CCP id."),
    value: float = typer.Argument(..., help="Measured value, in the CCP's unit."),
    by: str = typer.Option(..., "--by", help="Who measured."),
    at: str | None = typer.Option(None, "--at", help=f"When (default now). {TIME_HELP}."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Save a monitoring record; a value outside the critical limits opens a deviation."""
    when = parse_time(at, "--at")
    with unit_of_work(support.engine()) as session:
        saved, deviation = service.record_monitoring(
            session, ccp_id, value=value, measured_at=when, recorded_by=by
        )
        out = RecordOut.of(saved, deviation)
    if as_json:
        emit_json(out.model_dump(mode="json"))
        return
    if out.deviation is None:
        typer.echo(f"record {out.id}: {out.value:g} is within the critical limits")
        return
    d = out.deviation
    typer.echo(
        f"record {out.id}: DEVIATION {d.id}: {d.value:g} is {d.direction} the critical limit "
        f"{d.breached_limit:g}; record its corrective action with `qcity haccp correct {d.id}`"
    )


@haccp_app.command("deviations")
def deviations(
    ccp_id: int | None = typer.Option(None, "--ccp", help="Only this CCP."),
    open_only: bool = typer.Option(False, "--open", help="Only deviations without action."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List deviations; open ones have no corrective action yet."""
    with unit_of_work(support.engine()) as session:
        rows = repository.deviations(session, ccp_id=ccp_id, open_only=open_only)
        found = [DeviationOut.of(d) for d in rows]
    if as_json:
        emit_json({"deviations": [d.model_dump(mode="json") for d in found]})
        return
    table = RichTable("id", "ccp", "measured at", "value", "breach", "status", "actions")
    for d in found:
        breach = f"{d.direction} {d.breached_limit:g}"
        at = d.measured_at.isoformat(timespec="minutes")
        actions = "; ".join(f"{a.action} ({a.taken_by})" for a in d.corrective_actions)
        table.add_row(str(d.id), str(d.ccp_id), at, f"{d.value:g}", breach, d.status, actions)
    support.console.print(table)


@haccp_app.command("correct")
def correct(
    deviation_id: int = typer.Argument(..., help="Deviation id."),
    action: str = typer.Option(..., help="What was done (cause found, control restored)."),
    by: str = typer.Option(..., "--by", help="Who took the action."),
    at: str | None = typer.Option(None, "--at", help=f"When (default now). {TIME_HELP}."),
    disposition: str | None = typer.Option(None, help="What happened to affected product."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record the corrective action for a deviation (this closes it)."""
    when = parse_time(at, "--at")
    with unit_of_work(support.engine()) as session:
        saved = service.add_corrective_action(
            session, deviation_id, action=action, taken_by=by, taken_at=when,
            product_disposition=disposition,
        )  # fmt: skip
    out = CorrectiveActionOut.model_validate(saved)
    if as_json:
        emit_json(out.model_dump(mode="json"))
        return
    typer.echo(f"corrective action {out.id} recorded; deviation {deviation_id} is closed")


@haccp_app.command("verify")
def verify(
    ccp_id: int = typer.Argument(..., help="CCP id."),
    start: str = typer.Option(..., help=f"Period start. {TIME_HELP}."),
    end: str = typer.Option(..., help="Period end (same format)."),
    by: str = typer.Option(..., "--by", help="Who verified."),
    at: str | None = typer.Option(None, "--at", help="When (default now)."),
    notes: str = typer.Option("", help="Verification notes."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Sign off a CCP's records for a period (refused while deviations in it are open)."""
    times = [parse_time(t, n) for t, n in ((start, "--start"), (end, "--end"), (at, "--at"))]
    with unit_of_work(support.engine()) as session:
        saved = service.sign_off(
            session, ccp_id, period_start=times[0], period_end=times[1], verified_by=by,
            verified_at=times[2], notes=notes,
        )  # fmt: skip
    out = VerificationOut.model_validate(saved)
    if as_json:
        emit_json(out.model_dump(mode="json"))
        return
    typer.echo(f"verification {out.id}: CCP {ccp_id} signed off by {out.verified_by}")
