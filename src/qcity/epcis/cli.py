"""``qcity trace``: capture EPCIS documents (trace and recall commands join this group)."""

from __future__ import annotations

from pathlib import Path

import typer

from qcity import _cli_support as support
from qcity.db import unit_of_work
from qcity.epcis import service
from qcity.epcis._document import EpcisInputError, Problem
from qcity.errors import InputError

app = support.sub_app("Traceability: capture EPCIS 2.0 events, trace lots, recall.")


@app.command("capture")
def capture(
    files: list[Path] = typer.Argument(..., help="EPCIS 2.0 documents or events (JSON-LD or XML)."),
    proceed: bool = typer.Option(
        False, "--proceed", help="Store the valid events of a file even if others fail."
    ),
    gcp_length: int | None = typer.Option(
        None,
        "--gcp-length",
        min=6,
        max=12,
        help="GS1 company prefix length for Digital Link → EPC URN (default: table, else 7).",
    ),
) -> None:
    """Capture EPCIS 2.0 documents or events into the database (idempotent by event hash).

    Warnings about accepted events (draft measurement types, a sensorReport without ``type``)
    are printed as ``warning: FILE, event N, FIELD: MESSAGE`` lines and do not fail the command.
    """
    db = support.engine()
    behaviour: service.ErrorBehaviour = "proceed" if proceed else "rollback"
    failed = False
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"{file}: cannot read: {exc.strerror}") from None
        try:
            with unit_of_work(db) as session:
                outcome = service.capture(
                    session, data, _content_type(file), behaviour=behaviour, source=str(file),
                    gcp_length=gcp_length,
                )  # fmt: skip
                job = outcome.job
                summary = (
                    f"{file}: {job.events_captured} captured, {job.events_duplicate} already "
                    f"stored, {len(job.errors)} rejected (capture job {job.id})"
                )
                problems = list(job.errors)
                warnings = list(outcome.warnings)
        except EpcisInputError as error:
            if not error.source:
                error = EpcisInputError(error.problems, str(file))
            raise error from None
        typer.echo(summary)
        for warning in warnings:
            typer.echo(_warning_line(file, warning), err=True)
        for problem in problems:
            where = problem.get("where") or ""
            typer.echo(f"  {file}: {where}: {problem.get('message')}", err=True)
        failed = failed or bool(problems)
    if failed:
        raise typer.Exit(2)


def _warning_line(file: Path, warning: Problem) -> str:
    """``warning: FILE, event N, FIELD: MESSAGE`` (accepted; the exit status stays 0)."""
    event = "document" if warning.event_index is None else f"event {warning.event_index}"
    return f"warning: {file}, {event}, {warning.where}: {warning.message}"


def _content_type(file: Path) -> str | None:
    suffix = file.suffix.lower()
    if suffix == ".xml":
        return "application/xml"
    if suffix in (".json", ".jsonld"):
        return "application/ld+json"
    return None
