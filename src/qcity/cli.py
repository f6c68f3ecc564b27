"""The ``qcity`` command: every sub-app of every domain, composed."""

from __future__ import annotations

import typer

from qcity import __version__
from qcity._cli_support import QcityGroup
from qcity.accounts.cli import app as users_app
from qcity.analytics.cli import app as analytics_app
from qcity.analytics.cli import pass_rate_command
from qcity.audit.cli import app as audit_app
from qcity.db.cli import app as db_app
from qcity.demo.cli import app as demo_app
from qcity.epcis.cli import app as trace_app
from qcity.indicators.cli import app as indicators_app
from qcity.inspection.cli import app as inspection_app
from qcity.quality.cli import app as spc_app
from qcity.quality.cli import haccp_app
from qcity.registry.cli import app as registry_app
from qcity.trace.cli import backward_command, forward_command, mass_balance_command, recall_app
from qcity.web.cli import serve

app = typer.Typer(
    cls=QcityGroup,
    help="qcity: quality supervision for cities (registry, inspections, indicators, SPC).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_app, name="db")
app.add_typer(registry_app, name="registry")
app.add_typer(demo_app, name="demo")
app.add_typer(inspection_app, name="inspection")
app.add_typer(indicators_app, name="indicators")
app.add_typer(analytics_app, name="analytics")
inspection_app.command("pass-rate")(pass_rate_command)
app.add_typer(spc_app, name="spc")
app.add_typer(haccp_app, name="haccp")
app.add_typer(trace_app, name="trace")
trace_app.command("backward")(backward_command)
trace_app.command("forward")(forward_command)
trace_app.command("mass-balance")(mass_balance_command)
app.add_typer(recall_app, name="recall")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.command("serve")(serve)


def _summary(docstring: str | None) -> str:
    """The first paragraph of a docstring, on one line."""
    paragraph = (docstring or "").strip().split("\n\n")[0]
    return " ".join(paragraph.split())


def _command_index() -> str:
    """Every command with its one-line help, for the end of ``qcity --help``."""
    lines = [
        "Every command:",
        "",
        "  serve: Serve the web app and API (checks the database first).",
    ]
    for group in app.registered_groups:
        sub = group.typer_instance
        assert sub is not None
        for command in sub.registered_commands:
            assert command.callback is not None
            name = command.name or command.callback.__name__.replace("_", "-")
            lines.append(f"  {group.name} {name}: {_summary(command.callback.__doc__)}")
    return "\n".join(lines)


app.info.epilog = _command_index()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qcity {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """qcity: quality supervision for cities."""


def main() -> None:
    app()
