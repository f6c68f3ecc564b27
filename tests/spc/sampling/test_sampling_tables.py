"""Table-level tests: packaged data, arrow following, every cell of the resolved tables.

Oracles (copied to tests/fixtures/spc/iso2859/, see tests/fixtures/spc/SOURCES.md):
AQLSchemes 1.7-2 (J. Lawson, CRAN; github cran/AQLSchemes @ c60f3b34, R/AAZ14Single.R),
tables of ANSI/ASQ Z1.4 = ISO 2859-1 = GB/T 2828.1, extracted with R.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from qcity.spc.sampling import AQLS, LEVELS, _tables, code_letter, plan_from_code_letter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "spc" / "iso2859"
TIGHTENED_AC = (1, 2, 3, 5, 8, 12, 18, 27, 41)


def _read(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def tightened_master_from_structure() -> list[dict[str, str]]:
    """Rebuild the printed tightened master (Table 2-B) from its diagonal structure.

    Same construction as the README's normal master: row i (A=0 ... R=15, S=16) has 0/1 in
    column 15-i and 1/2 in column 18-i, then Ac 2,3,5,8,12,18 in the next columns; 27/28 only
    for AQL >= 150 and 41/42 only for AQL >= 250; down arrows left of the first plan and in
    the gap, up arrows right of the last plan. Row S (n=3150) holds only 1/2. Edge cells as
    in the normal table: (A, 10) is down and (R, 0.015) is up.
    """
    normal = _read("single_normal_master_with_arrows.csv")
    sizes = {r["code"]: r["sample_size"] for r in normal}
    sizes["S"] = "3150"
    aqls = list(dict.fromkeys(r["aql"] for r in normal))
    rows = []
    for i, code in enumerate(sizes):
        for j, aql in enumerate(aqls):
            arrow, ac = _tightened_cell(i, j)
            rows.append(
                {
                    "code": code,
                    "sample_size": sizes[code],
                    "aql": aql,
                    "arrow": arrow,
                    "Ac": "" if ac is None else str(ac),
                    "Re": "" if ac is None else str(ac + 1),
                }
            )
    return rows


def _tightened_cell(i: int, j: int) -> tuple[str, int | None]:
    zero, one = 15 - i, 18 - i
    if (i, j) == (0, 15):
        return "down", None
    if (i, j) == (15, 1):
        return "up", None
    if i == 16:
        return ("", 1) if j == one else ("up", None)
    if j == zero:
        return "", 0
    if j < one:
        return "down", None
    k = j - one
    if k >= len(TIGHTENED_AC):
        return "up", None
    ac = TIGHTENED_AC[k]
    if (ac == 27 and j < 21) or (ac == 41 and j < 22):
        return "up", None
    return "", ac


def test_packaged_tightened_master_matches_structure() -> None:
    text = (
        resources.files("qcity.spc.sampling")
        .joinpath("data", "single_tightened_master_with_arrows.csv")
        .read_text(encoding="utf-8")
    )
    assert list(csv.DictReader(text.splitlines())) == tightened_master_from_structure()


def _mismatches(inspection: str, name: str) -> tuple[int, list[str]]:
    rows = _read(name)
    bad = []
    for row in rows:
        plan = plan_from_code_letter(row["code"], row["aql"], inspection=inspection)
        got = (plan.sample_size, plan.accept, plan.reject)
        want = (int(row["n"]), int(row["Ac"]), int(row["Re"]))
        if got != want:
            bad.append(f"{row['code']} AQL {row['aql']}: got {got}, want {want}")
    return len(rows), bad


# Oracle: AQLSchemes R/AAZ14Single.R (Table II-A normal, II-B tightened), 416 cells each.
@pytest.mark.parametrize(
    ("inspection", "name"),
    [
        ("normal", "single_normal_resolved.csv"),
        ("tightened", "single_tightened_resolved.csv"),
        ("reduced-mil-std-105e", "single_reduced_resolved.csv"),
    ],
)
def test_every_cell_of_resolved_table(inspection: str, name: str) -> None:
    count, bad = _mismatches(inspection, name)
    assert count == 416
    assert bad == []


def test_normal_plans_come_from_the_packaged_master_not_the_resolved_table() -> None:
    packaged = resources.files("qcity.spc.sampling").joinpath("data")
    names = {entry.name for entry in packaged.iterdir()}
    assert "single_normal_resolved.csv" not in names
    assert "single_tightened_resolved.csv" not in names
    shipped = packaged.joinpath("single_normal_master_with_arrows.csv").read_text("utf-8")
    copied = (FIXTURES / "single_normal_master_with_arrows.csv").read_text("utf-8")
    assert shipped == copied


def test_arrow_cells_really_redirect() -> None:
    # README iso2859: edge cells (A, 10) = down and (R, 0.015) = up in the printed master.
    assert _tables.master_cell("normal", "A", "10") == "down"
    assert _tables.master_cell("normal", "R", "0.015") == "up"
    assert plan_from_code_letter("A", 10).plan_code_letter == "C"
    assert plan_from_code_letter("R", 0.015).plan_code_letter == "P"


def test_aql_series_matches_table_columns() -> None:
    columns = list(dict.fromkeys(r["aql"] for r in _read("single_normal_resolved.csv")))
    assert list(AQLS) == columns


CODE_ROWS = _read("code_letters.csv")


def _lot_sizes(row: dict[str, str]) -> list[int]:
    low = int(row["lot_min"])
    high = int(float(row["lot_max"])) if row["lot_max"] else 10**7
    return sorted({low, (low + high) // 2, high})


# Oracle: Table 1 as in AQLSchemes (tests/fixtures/spc/iso2859/code_letters.csv), all cells.
@pytest.mark.parametrize("row", CODE_ROWS, ids=[r["lot_min"] for r in CODE_ROWS])
def test_code_letter_table(row: dict[str, str]) -> None:
    for level in LEVELS:
        for size in _lot_sizes(row):
            assert code_letter(size, level) == row[level], (size, level)
