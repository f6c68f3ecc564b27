"""Output shared by the quality commands: one JSON object, or Rich tables of name/value pairs."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table as RichTable

from qcity import _cli_support as support
from qcity.quality import service


def emit_json(payload: dict[str, Any]) -> None:
    """Print ``payload`` as one line of JSON (NaN and infinity become null)."""
    typer.echo(json.dumps(service.jsonable(payload), ensure_ascii=False, allow_nan=False))


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        shown = [v for v in value if v is not None]
        return f"varies {min(shown):.6g} .. {max(shown):.6g}" if shown else "-"
    return str(value)


def print_pairs(title: str, pairs: list[tuple[str, Any]]) -> None:
    """A two-column Rich table of names and values."""
    table = RichTable("", "value", title=title, title_justify="left")
    for name, value in pairs:
        table.add_row(name, fmt(value))
    support.console.print(table)
