"""What every CLI command shares: error reporting, the engine, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from typer import _click
from typer.core import TyperGroup

from qcity.db import check_schema_current, make_engine
from qcity.errors import QcityError
from qcity.settings import get_settings

console = Console()
err_console = Console(stderr=True)


class QcityGroup(TyperGroup):
    """Turns a :class:`QcityError` anywhere below into one line on stderr and its exit code."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QcityError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            typer.echo(f"error: database: {reason}", err=True)
            raise typer.Exit(5) from None


def sub_app(help_text: str) -> typer.Typer:
    """A Typer sub-app with qcity's conventions."""
    return typer.Typer(help=help_text, no_args_is_help=True, pretty_exceptions_enable=False)


def engine(*, require_current: bool = True) -> Engine:
    """The configured engine; by default refuses a database behind the latest migration."""
    settings = get_settings()
    db = make_engine(settings.database_url)
    if require_current:
        check_schema_current(db)
    return db


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Progress]:
    """A Rich progress bar on stderr (quiet when stderr is not a terminal)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=False) as progress:
        progress.add_task(description, total=total)
        yield progress
