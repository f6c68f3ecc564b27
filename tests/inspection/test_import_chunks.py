"""Chunked landing: file order, rows already present, duplicates across chunks, audit rows.

The importer lands a chunk on a worker thread while it validates the next one, and lands
straight into the table (COPY on PostgreSQL) falling back to ``ON CONFLICT DO NOTHING`` when
some natural keys are already there. These tests pin that the result is the same as landing
row by row in file order, with and without the worker thread.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from qcity.audit.models import AuditLog
from qcity.db import unit_of_work
from qcity.inspection import _import
from qcity.inspection._import import Importer
from qcity.inspection._layouts import TEMPLATE
from qcity.inspection.models import SamplingInspection, TestItemResult
from tests.inspection.conftest import write_csv
from tests.inspection.test_import import template_row

HEADERS = [c.header for c in TEMPLATE]
FAILED = "菌落总数║2.1×10⁵CFU/g║≤1×10⁵CFU/g；霉菌║220CFU/g║≤150CFU/g"


def _rows(first: int, last: int) -> list[list[str]]:
    """Template rows numbered first..last; every 7th failed with two items, no test items."""
    return [
        template_row(
            n,
            test_items="",
            verdict="不合格" if n % 7 == 0 else "合格",
            failed_items=FAILED if n % 7 == 0 else "",
        )
        for n in range(first, last + 1)
    ]


def _landed(engine: Engine) -> tuple[list[str], dict[str, list[str]]]:
    """Report numbers in id order, and each report's item names in id order."""
    with unit_of_work(engine) as session:
        reports = list(
            session.scalars(select(SamplingInspection.report_no).order_by(SamplingInspection.id))
        )
        items: dict[str, list[str]] = {}
        for report, item in session.execute(
            select(SamplingInspection.report_no, TestItemResult.item)
            .join(TestItemResult, TestItemResult.inspection_id == SamplingInspection.id)
            .order_by(TestItemResult.id)
        ):
            items.setdefault(str(report), []).append(item)
    return [str(r) for r in reports], items


@pytest.fixture(params=["worker thread", "in line"])
def threaded(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Land on a worker thread (PostgreSQL's default) or in line (SQLite's), on both."""
    worker = request.param == "worker thread"
    monkeypatch.setattr(_import, "_lands_on_a_worker", lambda engine: worker)
    return worker


def test_chunks_land_in_file_order_and_a_partial_rerun_lands_the_rest(
    prepared: Engine, tmp_path: Path, threaded: bool
) -> None:
    # Rows 1-40 were landed by an earlier (interrupted) run; the file holds rows 1-100, a
    # blank row and a duplicate of a row two chunks earlier. Chunk 3 (rows 33-48) is mixed.
    Importer(prepared, chunk_size=16).import_file(
        write_csv(tmp_path / "first.csv", HEADERS, _rows(1, 40))
    )
    rows = _rows(1, 100)
    rows.insert(50, [""] * len(HEADERS))
    rows.append(template_row(200, report_no="GDJ2025-000045"))  # duplicate of row 45
    summary = Importer(prepared, chunk_size=16).import_file(
        write_csv(tmp_path / "all.csv", HEADERS, rows)
    )
    assert (summary.rows_read, summary.landed, summary.already_present, summary.rejected) == (
        101,
        60,
        40,
        1,
    )
    assert [r.reason for r in summary.rejections] == [
        "row 103: duplicate of row 46 in this file (same report number)"
    ]
    reports, items = _landed(prepared)
    assert reports == [f"GDJ2025-{n:06d}" for n in range(1, 101)]  # ids follow the file
    assert items == {f"GDJ2025-{n:06d}": ["菌落总数", "霉菌"] for n in range(7, 101, 7)}

    again = Importer(prepared, chunk_size=16).import_file(tmp_path / "all.csv")
    assert (again.landed, again.already_present, again.rejected) == (0, 100, 1)
    assert _landed(prepared) == (reports, items)


def test_each_landed_chunk_is_audited_once_per_table(
    prepared: Engine, tmp_path: Path, threaded: bool
) -> None:
    path = write_csv(tmp_path / "audited.csv", HEADERS, _rows(1, 30))
    summary = Importer(prepared, chunk_size=10).import_file(path)
    assert summary.landed == 30
    Importer(prepared, chunk_size=10).import_file(path)  # lands nothing, audits nothing
    with unit_of_work(prepared) as session:
        bulk = session.execute(
            select(AuditLog.table_name, AuditLog.after)
            .where(
                AuditLog.action == "bulk",
                AuditLog.table_name.in_(["sampling_inspection", "test_item_result"]),
            )
            .order_by(AuditLog.id)
        ).all()
    assert [(table, after["count"]) for table, after in bulk] == [
        ("sampling_inspection", 10),
        ("test_item_result", 2),  # row 7 failed, with two items
        ("sampling_inspection", 10),
        ("test_item_result", 2),  # row 14
        ("sampling_inspection", 10),
        ("test_item_result", 4),  # rows 21 and 28
    ]
    assert {after["source"] for _, after in bulk} == {str(path)}
