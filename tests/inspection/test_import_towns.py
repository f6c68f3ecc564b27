"""Imports limited to some towns (an inspector's): rows of other towns are rejected by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from qcity.db import unit_of_work
from qcity.inspection import service
from qcity.inspection._import import Importer
from qcity.inspection._layouts import REASON_HEADER, TEMPLATE
from qcity.inspection.models import SamplingInspection
from tests.inspection.conftest import read_csv, write_csv
from tests.inspection.test_import import template_row

HEADERS = [c.header for c in TEMPLATE]
HUMEN, CHANGAN, HOUJIE = "441900121000", "441900119000", "441900122000"


def _rows() -> list[list[str]]:
    """Row 2 in Humen (from the address), 3 in Chang'an (所在镇街), 4 in Houjie (address),
    5 in Humen again, 6 an unknown town."""
    return [
        template_row(1),
        template_row(2, town="长安"),
        template_row(3, sampled_unit_address="东莞市厚街镇1号"),
        template_row(4, town="虎门镇"),
        template_row(5, town="火星镇"),
    ]


def _towns(engine: Engine) -> list[str]:
    with unit_of_work(engine) as session:
        query = select(SamplingInspection.town_code).order_by(SamplingInspection.id)
        return list(session.scalars(query))


@pytest.mark.parametrize("parallel", [False, True])
def test_rows_outside_the_allowed_towns_are_rejected_by_row_and_field(
    prepared: Engine, tmp_path: Path, parallel: bool
) -> None:
    path = write_csv(tmp_path / "towns.csv", HEADERS, _rows())
    importer = Importer(prepared, chunk_size=2, allowed_towns={HUMEN})
    summary = importer.import_file(path, parallel=parallel)
    assert (summary.rows_read, summary.landed, summary.rejected) == (5, 2, 3)
    assert [(r.row, r.reason) for r in summary.rejections] == [
        (3, f"row 3: 所在镇街: town_code {CHANGAN} is outside your towns"),
        (4, f"row 4: 所在镇街: town_code {HOUJIE} is outside your towns"),
        (6, "row 6: 所在镇街: unknown town '火星镇'"),
    ]
    assert summary.rejects_file is not None
    rejects = read_csv(summary.rejects_file)
    assert [(r["序号"], r["所在镇街"]) for r in rejects] == [
        ("2", "长安"),
        ("3", ""),
        ("5", "火星镇"),
    ]
    assert rejects[1][REASON_HEADER].endswith(f"town_code {HOUJIE} is outside your towns")
    assert _towns(prepared) == [HUMEN, HUMEN]


def test_an_outside_row_does_not_hide_a_later_row_with_its_report_number(
    prepared: Engine, tmp_path: Path
) -> None:
    rows = [template_row(1, town="长安"), template_row(2, report_no="GDJ2025-000001")]
    path = write_csv(tmp_path / "dup.csv", HEADERS, rows)
    summary = Importer(prepared, allowed_towns=[HUMEN]).import_file(path)
    assert (summary.landed, summary.rejected) == (1, 1)
    assert summary.rejections[0].reason.endswith("is outside your towns")


def test_no_limit_and_the_service_option(prepared: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "all.csv", HEADERS, _rows())
    limited = service.import_files(prepared, [path], allowed_towns=[HUMEN, CHANGAN])[0]
    assert (limited.landed, limited.rejected) == (3, 2)
    everything = Importer(prepared).import_file(path)
    assert (everything.landed, everything.already_present, everything.rejected) == (1, 3, 1)
    assert sorted(_towns(prepared)) == sorted([HUMEN, CHANGAN, HUMEN, HOUJIE])
