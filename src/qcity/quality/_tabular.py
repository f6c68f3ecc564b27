"""Reading CSV and spreadsheet files into named columns, with errors naming file, column and row.

CSV must be UTF-8 (a byte-order mark is accepted); spreadsheets (.xlsx, .xlsm, .xls, .ods) are
read with python-calamine, first sheet, header in the first non-empty row. Row numbers in
messages are 1-based spreadsheet rows: the header is row 1 of a CSV file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import python_calamine
from numpy.typing import NDArray

from qcity.errors import InputError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (".csv", *SPREADSHEET_SUFFIXES)

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta


@dataclass(frozen=True)
class Table:
    """Cells of a file by column name, each data row with its spreadsheet row number.

    Attributes
    ----------
    source : str
        The file name, for messages.
    columns : tuple of str
        Header names (surrounding whitespace removed).
    rows : tuple of (int, tuple)
        Spreadsheet row number and the row's cells; blank rows are left out.
    """

    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]

    def _index(self, column: str) -> int:
        if column not in self.columns:
            available = ", ".join(repr(c) for c in self.columns if c) or "none"
            raise InputError(f"{self.source}: no column {column!r}; available columns: {available}")
        return self.columns.index(column)

    def numbers(self, column: str) -> NDArray[np.float64]:
        """The column as finite floats; a blank or non-numeric cell is an :class:`InputError`."""
        at = self._index(column)
        out = np.empty(len(self.rows))
        for i, (row_number, cells) in enumerate(self.rows):
            cell = cells[at] if at < len(cells) else ""
            out[i] = _number(cell, f"{self.source}: column {column!r}, row {row_number}")
        if out.size == 0:
            raise InputError(f"{self.source}: column {column!r} has no values")
        return out

    def labels(self, column: str) -> list[str]:
        """The column as text labels (whole numbers without ``.0``); blanks are refused."""
        at = self._index(column)
        out: list[str] = []
        for row_number, cells in self.rows:
            text = _text(cells[at] if at < len(cells) else "")
            if not text:
                raise InputError(f"{self.source}: column {column!r}, row {row_number}: empty cell")
            out.append(text)
        return out


def _number(cell: Cell, where: str) -> float:
    if isinstance(cell, bool) or not isinstance(cell, str | int | float):
        raise InputError(f"{where}: {_text(cell)!r} is not a number")
    text = cell.strip() if isinstance(cell, str) else cell
    if text == "":
        raise InputError(f"{where}: empty cell, expected a number")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {text!r} is not a finite number")
    return value


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def read_table(path: Path) -> Table:
    """Read a CSV or spreadsheet file from disk."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return read_table_bytes(path.read_bytes(), str(path))


def read_table_bytes(content: bytes, name: str) -> Table:
    """Read a CSV or spreadsheet file given as bytes; ``name`` chooses the format by suffix."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _table(name, _csv_rows(content, name), first_row=1)
    if suffix in SPREADSHEET_SUFFIXES:
        rows, first_row = _sheet_rows(content, name)
        return _table(name, rows, first_row)
    raise InputError(
        f"{name}: unsupported file type {suffix or '(none)'}; use {', '.join(SUFFIXES)}"
    )


def _csv_rows(content: bytes, name: str) -> list[list[Cell]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"
        ) from None
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputError(f"{name}: malformed CSV: {exc}") from None


def _sheet_rows(content: bytes, name: str) -> tuple[list[list[Cell]], int]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows: list[list[Cell]] = sheet.to_python(skip_empty_area=True)
        start = sheet.start
    except Exception as exc:  # calamine raises its own error classes
        raise InputError(f"{name}: cannot read the spreadsheet: {exc}") from None
    return rows, (int(start[0]) + 1 if start else 1)


def _table(name: str, rows: Sequence[Sequence[Cell]], first_row: int) -> Table:
    numbered = [(first_row + i, tuple(r)) for i, r in enumerate(rows)]
    numbered = [(n, r) for n, r in numbered if any(_text(c) for c in r)]
    if not numbered:
        raise InputError(f"{name}: the file is empty; expected a header row and data rows")
    header = tuple(_text(c) for c in numbered[0][1])
    return Table(source=name, columns=header, rows=tuple(numbered[1:]))
