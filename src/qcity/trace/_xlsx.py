"""A small Office Open XML (.xlsx) writer for plain tables: fast to import, fast to write.

Each sheet is a header row and data rows of text, numbers or blanks, with the header frozen,
an autofilter over the table and column widths; the workbook carries a title. Text is written
as inline strings (no shared-string table). Anything richer (styles, formulas, dates as serial
numbers) is out of scope: the recall spreadsheets need none of it, and a reader (Excel,
LibreOffice, openpyxl) sorts and filters these tables as they are.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 forbids
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
    'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)

Table = tuple[str, Sequence[str], Sequence[Sequence[object]]]  # sheet name, header, rows


def column_letter(index: int) -> str:
    """The column name of a 1-based column index (1 → A, 27 → AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    value = NOT_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, float) and math.isfinite(value):
        return f'<c r="{ref}"><v>{float(value)!r}</v></c>'
    text = _text(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    letters = [column_letter(i) for i in range(1, len(header) + 1)]
    area = f"A1:{letters[-1]}{len(rows) + 1}"
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{min(48, max(12, len(name) + 2))}" customWidth="1"/>'
        for i, name in enumerate(header, start=1)
    )
    lines = []
    for r, row in enumerate([header, *rows], start=1):
        cells = "".join(_cell(f"{c}{r}", v) for c, v in zip(letters, row, strict=False))
        lines.append(f'<row r="{r}">{cells}</row>')
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="{area}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        f'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols><sheetData>{''.join(lines)}</sheetData>"
        f'<autoFilter ref="{area}"/></worksheet>'
    )


def _package(tables: Sequence[Table], title: str) -> dict[str, str]:
    n = len(tables)
    sheets = "".join(
        f'<sheet name="{_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _h, _r) in enumerate(tables, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{_text(name)}'!$A$1:${column_letter(len(header))}${len(rows) + 1}</definedName>"
        for i, (name, header, rows) in enumerate(tables)
    )
    relations = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, n + 1)
    )
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{office}.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            f'ContentType="{office}.styles+xml"/>{overrides}<Override '
            'PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" '
            f'Type="{PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="{PKG_REL.rsplit("/", 1)[0]}/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>'
            f"{_text(title)}</dc:title></cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets>'
            f"<definedNames>{filters}</definedNames></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{relations}<Relationship '
            f'Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": XML_HEAD + STYLES,
    }
    for i, (_name, header, rows) in enumerate(tables, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet(header, rows)
    return parts


def write_xlsx(path: Path, tables: Sequence[Table], title: str = "") -> None:
    """Write ``tables`` (sheet name, header, rows) as one workbook at ``path``.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced if it exists).
    tables
        One ``(sheet name, column names, rows)`` per sheet; a row holds text, numbers or None.
    title
        The workbook's document title.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in _package(tables, title).items():
            archive.writestr(name, text)
