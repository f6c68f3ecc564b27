"""Reading CSV and spreadsheets into named numeric columns; errors name file, column, row, value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qcity.errors import InputError
from qcity.quality._plot import draw_chart
from qcity.quality._tabular import read_table, read_table_bytes
from qcity.spc.charts import u_chart


def test_blank_rows_are_skipped_but_rows_keep_their_spreadsheet_numbers() -> None:
    table = read_table_bytes(b" x , g \n1,a\n\n,\n2.5,b\n3,\n", "t.csv")
    assert table.columns == ("x", "g")
    assert table.numbers("x").tolist() == [1.0, 2.5, 3.0]
    with pytest.raises(InputError, match=r"^t.csv: column 'g', row 6: empty cell$"):
        table.labels("g")
    with pytest.raises(InputError, match=r"column 'x', row 3: empty cell, expected a number"):
        read_table_bytes(b"x,y\n1,1\n,2\n", "u.csv").numbers("x")


def test_spreadsheet_rows_count_from_the_top_of_the_sheet(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["B4"], sheet["B5"], sheet["B6"] = "温度", 71.5, 72, "高"
    path = tmp_path / "t.xlsx"
    book.save(path)
    with pytest.raises(InputError, match=r"t.xlsx: column '温度', row 6: '高' is not a number"):
        read_table(path).numbers("温度")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"a\n1\n", "data.txt", "unsupported file type .txt"),
        (b"a\n\xff\xfe\n", "x.csv", "not UTF-8"),
        (b"", "x.csv", "the file is empty"),
        (b"a\ninf\n", "x.csv", "'inf' is not a finite number"),
        (b"not a workbook", "x.xlsx", "cannot read the spreadsheet"),
    ],
)
def test_unreadable_input(content: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_table_bytes(content, name).numbers("a")


def test_html_plot_with_varying_limits_is_self_contained(tmp_path: Path) -> None:
    result = u_chart([3, 8, 2, 5, 20], [10, 12, 9, 10, 11])
    page = tmp_path / "u.html"
    draw_chart(result, page)
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "<metadata>" not in html and "http://www.w3.org/2000/svg" in html
    assert "https://" not in html and "<script" not in html
    assert np.asarray(result.ucl).size == 5
