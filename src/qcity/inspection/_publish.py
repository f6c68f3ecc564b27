"""Files qcity writes: the public announcement of failed samples, and the import template."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from qcity.errors import InputError
from qcity.inspection import repository
from qcity.inspection._layouts import ITEM_SEPARATOR, PUBLISHED_HEADERS, TEMPLATE
from qcity.inspection.models import TestItemResult
from qcity.privacy import mask_phone

FORMATS = ("xlsx", "csv")
DOMAIN_LABELS = {
    "food": "食品",
    "agri": "食用农产品例行监测",
    "manufactured": "工业产品",
    "consumer": "消费品",
    "construction": "建设工程",
}
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def scrub(text: str) -> str:
    """Mask phone numbers that found their way into a public text field."""
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0).replace("-", "")), text)


def _items_cell(items: Sequence[TestItemResult]) -> str:
    return "\n".join(ITEM_SEPARATOR.join((i.item, i.result, i.standard_limit)) for i in items)


def announcement_rows(
    session: Session, start: dt.date, end: dt.date
) -> tuple[list[str], list[list[str]]]:
    """The published layout's header and one row per failed sample sampled in [start, end]."""
    records = repository.failed_in_period(session, start, end)
    foods = all(domain in ("food", "agri") for _, domain, _ in records)
    headers = [h if h != "食品名称" or foods else "产品名称" for h in PUBLISHED_HEADERS]
    categories = {c.code: c.name_zh_hans for c in repository.categories(session)}
    rows: list[list[str]] = []
    for number, (inspection, domain, items) in enumerate(records, start=1):
        rows.append(
            [
                str(number),
                DOMAIN_LABELS.get(domain, domain),
                scrub(inspection.manufacturer_name),
                scrub(inspection.manufacturer_address),
                scrub(inspection.sampled_unit_name),
                scrub(inspection.sampled_unit_address),
                scrub(inspection.product_name),
                inspection.specification,
                inspection.production_batch,
                _items_cell(items),
                categories.get(inspection.category_code, inspection.category_code),
                inspection.announcement_no or "",
                inspection.announcement_date.isoformat() if inspection.announcement_date else "",
                inspection.task_source,
                inspection.lab_name,
                inspection.brand or "/",
            ]
        )
    return headers, rows


def write_table(
    path: Path, fmt: str, headers: Sequence[str], rows: Sequence[Sequence[str]], sheet: str
) -> None:
    """A table as .csv (UTF-8 with BOM, opens in Excel) or .xlsx."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: use xlsx or csv")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                writer.writerows(rows)
            return
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        workbook = Workbook()
        ws = workbook.active
        assert ws is not None
        ws.title = sheet
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(list(row))
        wrap = Alignment(wrap_text=True, vertical="top")
        for column_cells in ws.iter_cols(min_row=2):
            for cell in column_cells:
                if isinstance(cell.value, str) and "\n" in cell.value:
                    cell.alignment = wrap
        ws.freeze_panes = "A2"
        workbook.save(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


def write_template(path: Path, fmt: str) -> None:
    """The import template: a header row, and every column documented.

    xlsx: sheet 抽检记录 (header row) and sheet 字段说明. csv: lines starting with ``#``
    document the columns (the importer skips them), then the header row.
    """
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: use xlsx or csv")
    headers = [c.header for c in TEMPLATE]
    doc_header = ["列名", "必填", "说明", "示例", "也可用的列名"]
    docs = [
        [c.header, "是" if c.required else "否", c.description, c.example, "、".join(c.aliases)]
        for c in TEMPLATE
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["# qcity 抽检记录导入模板：以 # 开头的行是字段说明，导入时跳过"])
                writer.writerow(["# " + doc_header[0], *doc_header[1:]])
                for doc in docs:
                    writer.writerow(["# " + doc[0], *doc[1:]])
                writer.writerow(headers)
            return
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        workbook = Workbook()
        records = workbook.active
        assert records is not None
        records.title = "抽检记录"
        records.append(headers)
        from openpyxl.utils import get_column_letter

        for index, cell in enumerate(records[1], start=1):
            cell.font = Font(bold=True)
            records.column_dimensions[get_column_letter(index)].width = 28 if index > 1 else 8
        records.freeze_panes = "A2"
        notes = workbook.create_sheet("字段说明")
        notes.append(doc_header)
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for doc in docs:
            notes.append(doc)
        for letter, width in zip("ABCDE", (30, 6, 70, 40, 40), strict=True):
            notes.column_dimensions[letter].width = width
        for row in notes.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        workbook.save(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
