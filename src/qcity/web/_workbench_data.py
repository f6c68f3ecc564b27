"""Uploads of the SPC workbench: size and type checks, the dataset carried by the page, columns.

Uploads are not stored. The parsed table travels with the result page as a hidden JSON field
(``dataset``) that the user posts back to re-analyse or download; nothing of one user is ever
kept on the server or visible to another. Messages are localised through ``gettext`` and name
the file, the column and the spreadsheet row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qcity.errors import InputError
from qcity.quality._tabular import Cell, Table, read_table_bytes

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
SUFFIXES = (".csv", ".xlsx")
Gettext = Callable[[str], str]


def parse_upload(content: bytes, filename: str, _: Gettext) -> Table:
    """Check the size and type of an uploaded file and read it into a :class:`Table`.

    Raises
    ------
    InputError
        With a localised message naming the file: wrong extension, too large, empty, unreadable.
    """
    name = Path(filename or "").name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            _(
                "{file}: files of type {suffix} are not read here; upload a .csv or .xlsx file"
            ).format(file=name, suffix=suffix or "(none)")
        )
    if len(content) > MAX_BYTES:
        raise InputError(
            _(
                "{file} is larger than {limit} MB, the most the workbench reads; upload a "
                "shorter file"
            ).format(file=name, limit=MAX_BYTES // 1048576)
        )
    if not content.strip():
        raise InputError(
            _("{file} is empty; it needs a header row and data rows").format(file=name)
        )
    try:
        table = read_table_bytes(content, name)
    except InputError as exc:
        raise InputError(
            _("{file} could not be read: {reason}").format(file=name, reason=exc)
        ) from None
    if not table.rows:
        raise InputError(_("{file} has a header row but no data rows").format(file=name))
    if len(table.rows) > MAX_ROWS:
        raise InputError(
            _("{file} has {rows} data rows; the workbench reads up to {limit}").format(
                file=name, rows=len(table.rows), limit=MAX_ROWS
            )
        )
    return table


def _plain(cell: Cell) -> str | float:
    if isinstance(cell, bool):
        return str(cell).upper()
    if isinstance(cell, int | float):
        return float(cell)
    return str(cell)


def dump_dataset(table: Table) -> str:
    """The table as the compact JSON carried by the page (cells as text or numbers)."""
    rows = [[number, [_plain(c) for c in cells]] for number, cells in table.rows]
    return json.dumps(
        {"source": table.source, "columns": list(table.columns), "rows": rows},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def load_dataset(text: str, _: Gettext) -> Table:
    """The table posted back by the page; anything malformed asks for a new upload."""
    refused = InputError(_("The uploaded data was lost or changed; upload the file again."))
    if len(text) > 8 * MAX_BYTES:
        raise refused
    try:
        data = json.loads(text)
        columns = tuple(str(c) for c in data["columns"])
        rows = tuple(
            (int(number), tuple(c if isinstance(c, str | float | int) else str(c) for c in cells))
            for number, cells in data["rows"]
        )
        source = Path(str(data["source"])).name
    except (ValueError, KeyError, TypeError):
        raise refused from None
    if not rows or len(rows) > MAX_ROWS:
        raise refused
    return Table(source=source, columns=columns, rows=rows)


def numeric_columns(table: Table) -> list[str]:
    """Columns whose every cell is a number (the candidates for measurements)."""
    out = []
    for at, column in enumerate(table.columns):
        if column and all(
            _is_number(cells[at] if at < len(cells) else "") for _n, cells in table.rows
        ):
            out.append(column)
    return out


def _is_number(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return math.isfinite(cell)
    try:
        return math.isfinite(float(str(cell).strip()))
    except ValueError:
        return False


def _index(table: Table, column: str, _: Gettext) -> int:
    if column not in table.columns:
        raise InputError(
            _("{file}: there is no column “{column}”; the columns are {columns}").format(
                file=table.source, column=column, columns=", ".join(c for c in table.columns if c)
            )
        )
    return table.columns.index(column)


def numbers(table: Table, column: str, _: Gettext) -> NDArray[np.float64]:
    """A column as finite numbers; a blank or non-numeric cell names its row."""
    at = _index(table, column, _)
    out = np.empty(len(table.rows))
    for i, (row, cells) in enumerate(table.rows):
        cell = cells[at] if at < len(cells) else ""
        text = str(cell).strip()
        if not _is_number(cell):
            message = (
                _("{file}: column {column}, row {row} is empty; every row needs a number")
                if text == ""
                else _("{file}: column {column}, row {row}: “{value}” is not a number")
            )
            raise InputError(message.format(file=table.source, column=column, row=row, value=text))
        out[i] = float(text) if isinstance(cell, str) else float(cell)  # type: ignore[arg-type]
    return out


def labels(table: Table, column: str, _: Gettext) -> list[str]:
    """A column as subgroup labels; a blank cell names its row."""
    at = _index(table, column, _)
    out = []
    for row, cells in table.rows:
        cell = cells[at] if at < len(cells) else ""
        text = (
            str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell).strip()
        )
        if not text:
            raise InputError(
                _("{file}: column {column}, row {row} is empty; every row needs a subgroup").format(
                    file=table.source, column=column, row=row
                )
            )
        out.append(text)
    return out


def preview(table: Table, limit: int = 5) -> list[list[Any]]:
    """The first data rows (row number first), for the page."""
    return [[number, *cells] for number, cells in table.rows[:limit]]
