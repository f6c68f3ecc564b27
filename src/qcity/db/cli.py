"""``qcity db``: migrations."""

from __future__ import annotations

import typer

from qcity import _cli_support as support
from qcity.db.engine import database_label
from qcity.db.migrations import current_revision, head_revision, upgrade

app = support.sub_app("Database schema: apply and inspect migrations.")


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every pending migration to the configured database."""
    db = support.engine(require_current=False)
    before = current_revision(db)
    upgrade(db)
    after = current_revision(db)
    label = database_label(db.url)
    if before == after:
        typer.echo(f"{label}: already at {after}")
    else:
        typer.echo(f"{label}: upgraded {before or '(empty)'} -> {after}")


@app.command("current")
def current_command() -> None:
    """Print the database's migration revision and the code's head revision."""
    db = support.engine(require_current=False)
    revision = current_revision(db)
    head = head_revision()
    state = "up to date" if revision == head else "behind: run `qcity db upgrade`"
    typer.echo(f"database: {revision or '(empty)'}  head: {head}  ({state})")
