"""The small xlsx writer: what openpyxl (an independent reader) reads back from its files."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from qcity.trace._xlsx import column_letter, write_xlsx


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_tables_read_back_with_frozen_header_filter_and_title(tmp_path: Path) -> None:
    path = tmp_path / "scope.xlsx"
    rows = [
        ["菜心 <A&B>", 93.3, 2, None, "  spaced  "],
        ["bell\x07 removed", -1.5e-7, 0, "", "x"],
    ]
    write_xlsx(path, (("KDE", ("name", "qty", "depth", "blank", "text"), rows),
                      ("lots", ("id",), [["L1"], ["L2"]])), "recall scope")  # fmt: skip
    book = load_workbook(path)
    assert book.sheetnames == ["KDE", "lots"] and book.properties.title == "recall scope"
    kde = book["KDE"]
    assert kde.freeze_panes == "A2" and kde.auto_filter.ref == "A1:E3"
    assert [[c.value for c in r] for r in kde.iter_rows()] == [
        ["name", "qty", "depth", "blank", "text"],
        ["菜心 <A&B>", 93.3, 2, None, "  spaced  "],
        ["bell removed", -1.5e-7, 0, None, "x"],
    ]
    assert kde.column_dimensions["A"].width == 12 and kde.column_dimensions["E"].width == 12
    assert [c.value for c in book["lots"]["A"]] == ["id", "L1", "L2"]
