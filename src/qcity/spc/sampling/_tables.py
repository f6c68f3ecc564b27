"""Packaged GB/T 2828.1 (= ISO 2859-1) tables and the arrow-following resolver.

The master tables are stored as printed: each cell holds either a plan ``Ac/Re`` or an
arrow. An arrow means "no plan here: use the first plan in the direction of the arrow";
the sample size (and code letter) of the row where that plan is found then applies.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

LEVELS: tuple[str, ...] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
"""Inspection levels of Table 1: special S-1..S-4 and general I, II, III."""

Inspection = Literal["normal", "tightened", "reduced-mil-std-105e"]
INSPECTIONS: tuple[str, ...] = ("normal", "tightened", "reduced-mil-std-105e")

_MASTER_FILES = {
    "normal": "single_normal_master_with_arrows.csv",
    "tightened": "single_tightened_master_with_arrows.csv",
}
_REDUCED_FILE = "single_reduced_mil_std_105e.csv"


@dataclass(frozen=True)
class TablePlan:
    """A plan read from a table after following arrows."""

    code_letter: str
    sample_size: int
    accept: int
    reject: int


@dataclass(frozen=True)
class _MasterTable:
    codes: tuple[str, ...]
    sample_sizes: dict[str, int]
    cells: dict[tuple[str, str], str | tuple[int, int]]


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def code_letter_rows() -> tuple[tuple[int, int | None, dict[str, str]], ...]:
    """Table 1 rows as ``(lot_min, lot_max or None, {level: letter})``."""
    rows = []
    for row in _read_csv("code_letters.csv"):
        high = int(float(row["lot_max"])) if row["lot_max"] else None
        rows.append((int(row["lot_min"]), high, {lev: row[lev] for lev in LEVELS}))
    return tuple(rows)


AQLS: tuple[str, ...] = (
    *("0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65"),
    *("1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65"),
    *("100", "150", "250", "400", "650", "1000"),
)
"""Preferred AQL series (column labels of Tables 2-A/2-B), tightest first."""


def aql_labels() -> tuple[str, ...]:
    """The AQL columns (preferred series 0.010 ... 1000) in table order."""
    return AQLS


def aql_label(aql: float | str) -> str:
    """Return the table column label for ``aql`` or raise ``ValueError``."""
    labels = aql_labels()
    try:
        value = math.nan if isinstance(aql, bool) else float(aql)
    except (TypeError, ValueError):
        value = math.nan
    for label in labels:
        if math.isclose(value, float(label), rel_tol=1e-9):
            return label
    raise ValueError(f"AQL {aql!r} is not in the table; valid AQLs: {', '.join(labels)}")


@cache
def _master(inspection: str) -> _MasterTable:
    codes: dict[str, None] = {}
    sizes: dict[str, int] = {}
    cells: dict[tuple[str, str], str | tuple[int, int]] = {}
    for row in _read_csv(_MASTER_FILES[inspection]):
        code = row["code"]
        codes.setdefault(code, None)
        sizes[code] = int(row["sample_size"])
        arrow = row["arrow"]
        cells[code, row["aql"]] = arrow if arrow else (int(row["Ac"]), int(row["Re"]))
    return _MasterTable(tuple(codes), sizes, cells)


def master_cell(inspection: str, code: str, aql: str) -> str | tuple[int, int]:
    """The printed cell: ``"up"``, ``"down"`` or ``(Ac, Re)``."""
    return _master(inspection).cells[code, aql]


def resolve_master(inspection: str, code: str, aql: str) -> TablePlan:
    """Follow arrows from ``(code, aql)`` in a master table to the first plan."""
    table = _master(inspection)
    index = table.codes.index(code)
    direction: str | None = None
    while 0 <= index < len(table.codes):
        letter = table.codes[index]
        cell = table.cells[letter, aql]
        if isinstance(cell, tuple):
            return TablePlan(letter, table.sample_sizes[letter], cell[0], cell[1])
        if direction is not None and cell != direction:
            break
        direction = cell
        index += 1 if cell == "down" else -1
    raise LookupError(f"arrows from ({code}, {aql}) in the {inspection} table lead nowhere")


@cache
def _reduced() -> dict[tuple[str, str], TablePlan]:
    by_size = {n: c for c, n in _master("normal").sample_sizes.items()}
    plans = {}
    for row in _read_csv(_REDUCED_FILE):
        n = int(row["n"])
        plan = TablePlan(by_size[n], n, int(row["Ac"]), int(row["Re"]))
        plans[row["code"], row["aql"]] = plan
    return plans


def table_plan(inspection: str, code: str, aql: str) -> TablePlan:
    """Plan for a code letter and AQL label under the given inspection severity."""
    if inspection == "reduced-mil-std-105e":
        return _reduced()[code, aql]
    return resolve_master(inspection, code, aql)


def codes(inspection: str = "normal") -> tuple[str, ...]:
    """Code letters (rows) of a master table."""
    return _master(inspection).codes
