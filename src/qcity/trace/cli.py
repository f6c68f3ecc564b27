"""``qcity trace backward|forward|mass-balance`` (joined to the epcis ``trace`` group) and
``qcity recall``: recall scope, cases and each holder's progress in taking goods off shelves."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.table import Table

from qcity import _cli_support as support
from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.settings import get_settings
from qcity.trace import _spreadsheet, service
from qcity.trace.schemas import TraceOut

recall_app = support.sub_app("Recalls: scope, cases, holders' progress in removing goods (下架).")

ID_HELP = "EPC URN, GS1 Digital Link URI or urn:qcity:lot:<USCC>:<batch>."


def _cache_dir() -> Path:
    return get_settings().data_dir


def _moment(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--at {text!r} is not an ISO 8601 time, e.g. 2025-10-01T08:00+08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _print_trace(out: TraceOut, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(out.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table("depth", "lot", "product", "quantity", "holder", "town", "location")
    for lot in out.lots:
        table.add_row(
            str(lot.depth), lot.id, lot.product, f"{lot.quantity:g} {lot.uom or ''}",
            lot.holder or "", lot.town or "", lot.location or "",
        )  # fmt: skip
    support.console.print(table)
    support.console.print(f"{len(out.lots)} lot positions, {len(out.events)} events")


def _trace(direction: str, identifier: str, at: str | None, depth: int | None, js: bool) -> None:
    with unit_of_work(support.engine()) as session:
        out, _result = service.trace(
            session, identifier, direction, at=_moment(at), max_depth=depth,
            cache_dir=_cache_dir(),
        )  # fmt: skip
    _print_trace(out, js)


def backward_command(
    identifier: str = typer.Argument(..., help=ID_HELP),
    at: str | None = typer.Option(None, help="Only what happened up to this time (ISO 8601)."),
    depth: int | None = typer.Option(None, min=0, help="At most this many hops."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON {root, lots, events}."),
) -> None:
    """Trace a lot backward: where it came from (inputs, suppliers, pallets that carried it)."""
    _trace("backward", identifier, at, depth, as_json)


def forward_command(
    identifier: str = typer.Argument(..., help=ID_HELP),
    at: str | None = typer.Option(None, help="Only what happened from this time on (ISO 8601)."),
    depth: int | None = typer.Option(None, min=0, help="At most this many hops."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON {root, lots, events}."),
) -> None:
    """Trace a lot forward: where it went (outputs made from it, holders, pallets)."""
    _trace("forward", identifier, at, depth, as_json)


def mass_balance_command(
    tolerance: float = typer.Option(0.02, min=0, help="Relative tolerance (0.02 = 2 %)."),
    absolute: float = typer.Option(0.0, min=0, help="Absolute tolerance, in the lot's unit."),
    show_all: bool = typer.Option(False, "--all", help="List every (lot, holder), not only flags."),
    limit: int = typer.Option(1000, min=1, help="At most this many rows."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Mass balance per lot and holder: received - shipped - consumed - on hand, flagged."""
    with unit_of_work(support.engine()) as session:
        out = service.mass_balance(
            session, absolute=absolute, relative=tolerance, flagged_only=not show_all,
            limit=limit, cache_dir=_cache_dir(),
        )  # fmt: skip
    if as_json:
        typer.echo(json.dumps(out.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table("lot", "product", "holder", "in", "out", "consumed", "on hand", "expected",
                  "discrepancy", "flag")  # fmt: skip
    for r in out.items:
        table.add_row(
            r.lot, r.product, r.holder_name or r.holder or "", f"{r.produced + r.received:g}",
            f"{r.shipped:g}", f"{r.consumed:g}", "" if r.on_hand is None else f"{r.on_hand:g}",
            f"{r.expected:g}", f"{r.discrepancy:+g}", "⚑" if r.flagged else "",
        )  # fmt: skip
    support.console.print(table)
    support.console.print(
        f"{out.checked} lot/holder pairs, {out.counted} counted, {out.flagged} flagged "
        f"(beyond {out.absolute_tolerance:g} and {out.relative_tolerance:.1%})"
    )


@recall_app.command("scope")
def scope(
    identifier: str = typer.Argument(..., help=ID_HELP),
    out: Path | None = typer.Option(None, "--out", help="Write FILE.xlsx or FILE.csv."),
    siblings: bool = typer.Option(
        False, "--siblings", help="Also what shares an input with it (backward, then forward)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON {root, lots, events}."),
) -> None:
    """Every affected lot with quantity and current holder; optionally a KDE spreadsheet."""
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(f"--out {out.name}: write a .xlsx or .csv file")
    direction = "siblings" if siblings else "forward"
    with unit_of_work(support.engine()) as session:
        trace_out, result = service.trace(session, identifier, direction, cache_dir=_cache_dir())
        if out is not None:
            kde = _spreadsheet.kde_rows(session, result.events, trace_out.lots)
            lots = _spreadsheet.lot_rows(session, trace_out.lots)
            _spreadsheet.write(out, kde, lots, title=f"recall scope {identifier}")
    _print_trace(trace_out, as_json)
    if out is not None:
        support.err_console.print(f"wrote {out}")


@recall_app.command("start")
def start(
    identifier: str = typer.Argument(..., help=ID_HELP),
    reason: str = typer.Option(..., help="Why (e.g. the failed inspection)."),
    by: str = typer.Option(..., "--by", help="Who starts the recall."),
    hazard: str = typer.Option("", help="Hazard class, e.g. microbial, pesticide_residue."),
    siblings: bool = typer.Option(False, "--siblings", help="Include shared-input siblings."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Start a recall: snapshot the scope, notify holders, record `recalled` EPCIS events."""
    with unit_of_work(support.engine()) as session:
        case = service.start_recall(
            session, identifier, reason=reason, started_by=by, hazard=hazard, siblings=siblings,
            capture=service.capture_with_epcis, cache_dir=_cache_dir(),
        )  # fmt: skip
        detail = service.recall_detail(session, case.id)
    if as_json:
        typer.echo(json.dumps(detail.model_dump(mode="json"), ensure_ascii=False))
        return
    typer.echo(
        f"recall case {detail.id} started by {detail.started_by}: {detail.lots} lots at "
        f"{detail.holders} holders notified, {detail.recalled_events} recalled events recorded"
    )


@recall_app.command("status")
def status(
    case_id: int = typer.Argument(..., help="Recall case number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A recall case: why, scope, and each holder's state (notified → removed/destroyed)."""
    with unit_of_work(support.engine()) as session:
        detail = service.recall_detail(session, case_id)
    if as_json:
        typer.echo(json.dumps(detail.model_dump(mode="json"), ensure_ascii=False))
        return
    support.console.print(
        f"recall {detail.id} [{detail.status}] {detail.root}\n"
        f"reason: {detail.reason} ({detail.hazard or 'hazard not given'}); started by "
        f"{detail.started_by} at {detail.started_at.isoformat(timespec='seconds')}"
    )
    table = Table("id", "holder", "name", "town", "lots", "quantity", "state", "removed",
                  "destroyed", "updated")  # fmt: skip
    for h in detail.holder_list:
        when = h.destroyed_at or h.removed_at or h.acknowledged_at or h.notified_at
        table.add_row(
            str(h.id), h.holder, h.name, h.town_code or "", str(h.lots),
            f"{h.quantity:g} {h.uom or ''}", h.state, f"{h.quantity_removed:g}",
            f"{h.quantity_destroyed:g}", when.isoformat(timespec="minutes"),
        )  # fmt: skip
    support.console.print(table)
    support.console.print(
        ", ".join(f"{state}: {count}" for state, count in detail.holder_states.items())
    )


@recall_app.command("progress")
def progress(
    case_id: int = typer.Argument(..., help="Recall case number."),
    holder: str = typer.Argument(..., help="Holder credit code, party URI or row id."),
    state: str = typer.Option(..., help="acknowledged, removed or destroyed."),
    by: str = typer.Option(..., "--by", help="Who reports it."),
    quantity: float | None = typer.Option(None, min=0, help="Quantity removed or destroyed."),
    note: str = typer.Option("", help="Remarks."),
    at: str | None = typer.Option(None, help="When (ISO 8601; default now)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Report a holder's progress in taking the recalled goods off the shelves (下架)."""
    with unit_of_work(support.engine()) as session:
        record = service.report_progress(
            session, case_id, holder, state=state, reported_by=by, quantity=quantity, note=note,
            at=_moment(at),
        )  # fmt: skip
        detail = service.recall_detail(session, case_id)
        out = next(h for h in detail.holder_list if h.id == record.id)
    if as_json:
        typer.echo(json.dumps(out.model_dump(mode="json"), ensure_ascii=False))
        return
    typer.echo(f"recall {case_id}: {out.holder} {out.name} is {out.state} (case {detail.status})")


@recall_app.command("list")
def list_cases(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every recall case, newest first."""
    from qcity.trace import repository
    from qcity.trace.schemas import RecallCaseOut

    with unit_of_work(support.engine()) as session:
        cases = [RecallCaseOut.model_validate(c) for c in repository.cases(session)]
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in cases], ensure_ascii=False))
        return
    table = Table("id", "status", "root", "reason", "lots", "holders", "started")
    for c in cases:
        table.add_row(
            str(c.id), c.status, c.root, c.reason, str(c.lots), str(c.holders),
            c.started_at.isoformat(timespec="minutes"),
        )  # fmt: skip
    support.console.print(table)
