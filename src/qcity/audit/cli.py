"""``qcity audit``: verify the hash chain of the audit log."""

from __future__ import annotations

import typer

from qcity import _cli_support as support
from qcity.audit import service
from qcity.db import unit_of_work

app = support.sub_app("The audit log: every write, hash-chained and append-only.")


@app.command("verify")
def verify() -> None:
    """Recompute the audit chain; exit 1 naming the first changed or deleted row."""
    with unit_of_work(support.engine()) as session:
        verdict = service.verify(session)
    if verdict.ok:
        typer.echo(f"audit chain intact: {verdict.rows} rows, head {verdict.head_hash[:16]}")
        return
    typer.echo(
        f"error: audit chain broken at row {verdict.broken_id}: {verdict.reason} "
        f"({verdict.rows} rows verified before it)",
        err=True,
    )
    raise typer.Exit(1)
