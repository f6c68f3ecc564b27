"""Imports on SQLite and PostgreSQL: layouts, every rejection reason, idempotence, template."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.inspection import service
from qcity.inspection._import import Importer
from qcity.inspection._layouts import REASON_HEADER, TEMPLATE
from qcity.inspection._publish import write_template
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.registry.models import MarketEntity
from qcity.registry.uscc import validate_uscc
from tests.inspection.conftest import PUBLISHED, read_csv, root, write_csv

HEADERS = [c.header for c in TEMPLATE]
COL = {h: i for i, h in enumerate(HEADERS)}
VALID_USCC = "914403001922038216"  # published registration (shared uscc_examples.csv)
BAD_USCC = "914403001922038217"  # same with a wrong check character


def template_row(n: int, **values: str) -> list[str]:
    """A complete, valid template row; keyword arguments override columns by field name."""
    fields = {
        "seq": str(n),
        "report_no": f"GDJ2025-{n:06d}",
        "sample_no": f"DC25{n:08d}",
        "sampling_date": "2025-07-03",
        "task_source": "东莞市2025年食品安全监督抽检",
        "domain": "食品",
        "category": "糕点",
        "town": "",
        "sampled_unit_name": f"东莞市虎门鸿福食品店{n}",
        "sampled_unit_address": "广东省东莞市虎门镇连升路12号",
        "sampled_unit_uscc": "",
        "manufacturer_name": "东莞市华盛食品有限公司",
        "manufacturer_address": "广东省东莞市茶山镇工业路8号",
        "manufacturer_uscc": "",
        "product_name": "蛋糕",
        "brand": "华盛",
        "specification": "500g/袋",
        "production_batch": "2025-06-28",
        "verdict": "合格",
        "failed_items": "",
        "test_items": "菌落总数║2100║≤100000║CFU/g║GB 7099-2015║合格",
        "lab_name": "东莞市食品药品检验所",
        "announcement_no": "2025年第15期",
        "announcement_date": "2025-08-15",
        "retest_requested": "否",
        "retest_outcome": "",
    }
    fields.update(values)
    return [fields[c.field] for c in TEMPLATE]


def count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_published_layout_lands_every_row_with_its_items(prepared: Engine, tmp_path: Path) -> None:
    path = tmp_path / PUBLISHED.name
    path.write_bytes(PUBLISHED.read_bytes())
    summary = Importer(prepared).import_file(path)
    assert (summary.rows_read, summary.landed, summary.rejected, summary.already_present) == (
        6,
        6,
        0,
        0,
    )
    assert summary.rejects_file is None
    with unit_of_work(prepared) as session:
        records = session.scalars(select(SamplingInspection).order_by(SamplingInspection.id)).all()
        items = {
            r.product_name: [(i.item, i.result, i.standard_limit) for i in r.items] for r in records
        }
        towns = [r.town_code for r in records]
        categories = [r.category_code for r in records]
        dates = {r.sampling_date for r in records}
        makers = [r.manufacturer_name for r in records]
    assert {r.verdict for r in records} == {"fail"}
    assert items["复用餐饮具(碗)"] == [("大肠菌群", "检出/50cm2", "不得检出/50cm2")]
    assert [i[0] for i in items["老婆饼"]] == ["菌落总数", "霉菌"]  # newline-separated
    assert [i[0] for i in items["豇豆"]] == ["噻虫胺", "灭蝇胺"]  # ；-separated
    assert [i[0] for i in items["酱腌菜"]] == ["二氧化硫残留量", "糖精钠(以糖精计)"]  # ;-separated
    # Towns from the sampled unit's address (full name, or 街道).
    assert towns == [
        "441900121000",
        "441900119000",
        "441900004000",
        "441900110000",
        "441900102000",
        "441900111000",
    ]
    assert categories == ["F31", "F32", "F24", "F32", "F16", "F15"]
    # No 抽样日期 column: the announcement date (2025-07-03, four spellings) stands in.
    assert dates == {dt.date(2025, 7, 3)}
    assert makers[0] == ""  # "/" means none
    with unit_of_work(prepared) as session:
        value = session.scalar(
            select(TestItemResult.result_value).where(TestItemResult.item == "菌落总数")
        )
    assert value == pytest.approx(210_000)


def test_xlsx_published_layout_and_reimport_is_idempotent(prepared: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with PUBLISHED.open(encoding="utf-8-sig", newline="") as handle:
        for n, row in enumerate(csv.reader(handle)):
            if n and row[12] == "45841":  # a real Excel date serial, as calamine returns it
                sheet.append([*row[:12], 45841, *row[13:]])
            else:
                sheet.append(row)
    path = tmp_path / "published.xlsx"
    workbook.save(path)
    first = Importer(prepared).import_file(path)
    again = Importer(prepared).import_file(path)
    assert (first.landed, first.already_present) == (6, 0)
    assert (again.rows_read, again.landed, again.already_present, again.rejected) == (6, 0, 6, 0)
    assert count(prepared, SamplingInspection) == 6
    assert count(prepared, TestItemResult) == 9


def test_every_rejection_reason_names_row_field_and_problem(
    prepared: Engine, tmp_path: Path
) -> None:
    rows = [
        template_row(1, sampling_date="45841"),  # good: Excel serial
        template_row(2, sampling_date="2025/7/3", town="长安"),  # good: short town name
        template_row(3, sampling_date="2025年7月3日", sampled_unit_address="东莞市厚街镇1号"),
        template_row(4, category="火锅底料"),
        template_row(5, sampling_date="2025-02-30"),
        template_row(6, town="火星镇"),
        template_row(7, sampled_unit_address="某市某路1号"),
        template_row(8, manufacturer_uscc=BAD_USCC),
        template_row(9, failed_items="霉菌║220CFU/g║≤150CFU/g"),  # 合格 with a failed item
        template_row(10, verdict="不合格"),  # 不合格 but every listed item passed
        template_row(11, report_no="GDJ2025-000001"),  # duplicate of row 2 (report 1)
        template_row(12, product_name=""),
        template_row(13, verdict="待定"),
    ]
    path = write_csv(tmp_path / "batch.csv", HEADERS, rows)
    summary = Importer(prepared).import_file(path)
    assert (summary.rows_read, summary.landed, summary.rejected) == (13, 3, 10)
    assert summary.rejects_file == tmp_path / "batch.rejects.csv"
    rejects = read_csv(summary.rejects_file)
    assert list(rejects[0]) == [*HEADERS, REASON_HEADER]
    reasons = {int(r["序号"]): r[REASON_HEADER] for r in rejects}
    assert reasons[4] == "row 5: 分类: unknown category '火锅底料'"
    assert reasons[5] == "row 6: 抽样日期: '2025-02-30' is not a calendar date"
    assert reasons[6] == "row 7: 所在镇街: unknown town '火星镇'"
    assert reasons[7].startswith(
        "row 8: 被抽样单位地址: unknown town: no town name in '某市某路1号'"
    )
    uscc_reason = validate_uscc(BAD_USCC).reason
    assert uscc_reason
    assert reasons[8] == (
        f"row 9: 标称生产企业统一社会信用代码: invalid credit code '{BAD_USCC}': {uscc_reason}"
    )
    assert reasons[9] == "row 10: 检验结论: 合格 but item '霉菌' failed"
    assert reasons[10] == "row 11: 检验结论: 不合格 but no test item failed"
    assert reasons[11] == "row 12: duplicate of row 2 in this file (same report number)"
    assert reasons[12] == "row 13: 产品名称: empty"
    assert reasons[13] == "row 14: 检验结论: '待定' is not 合格 or 不合格"
    # The rejected rows keep their cells, so they can be fixed and re-imported.
    assert rejects[0]["分类"] == "火锅底料"
    with unit_of_work(prepared) as session:
        towns = session.scalars(
            select(SamplingInspection.town_code).order_by(SamplingInspection.id)
        ).all()
    assert towns == ["441900121000", "441900119000", "441900122000"]


def test_rejects_of_an_xlsx_are_an_xlsx_in_the_rejects_dir(
    prepared: Engine, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(template_row(1))
    sheet.append(template_row(2, category="不存在"))
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    summary = service.import_files(prepared, [path], rejects_dir=tmp_path / "out")[0]
    assert summary.rejects_file == tmp_path / "out" / "in.rejects.xlsx"
    table = CalamineWorkbook.from_path(str(summary.rejects_file)).get_sheet_by_index(0).to_python()
    assert table[0] == [*HEADERS, REASON_HEADER]
    assert table[1][-1] == "row 3: 分类: unknown category '不存在'"


def test_town_from_the_registered_entity_and_entity_link(prepared: Engine, tmp_path: Path) -> None:
    with unit_of_work(prepared) as session:
        session.add(
            MarketEntity(
                uscc=VALID_USCC,
                name="东莞市凤岗嘉和百货商行",
                town_code="441900117000",
                industry_code="F",
                address="凤岗雁田村",
                size_class="micro",
                registered_on=dt.date(2019, 5, 1),
                status="active",
                legal_representative="张三",
            )
        )
    rows = [
        template_row(1, sampled_unit_name="东莞市凤岗嘉和百货商行", sampled_unit_address="雁田村"),
        template_row(
            2,
            sampled_unit_name="别的店",
            sampled_unit_address="雁田村",
            sampled_unit_uscc=VALID_USCC,
        ),
    ]
    summary = Importer(prepared).import_file(write_csv(tmp_path / "e.csv", HEADERS, rows))
    assert summary.landed == 2
    with unit_of_work(prepared) as session:
        found = session.execute(
            select(SamplingInspection.town_code, SamplingInspection.sampled_entity_id)
        ).all()
        entity_id = session.scalar(select(MarketEntity.id))
    assert found == [("441900117000", entity_id), ("441900117000", entity_id)]


def test_template_round_trip_xlsx_and_csv(prepared: Engine, tmp_path: Path) -> None:
    xlsx = tmp_path / "template.xlsx"
    write_template(xlsx, "xlsx")
    workbook = load_workbook(xlsx)
    assert workbook.sheetnames == ["抽检记录", "字段说明"]
    notes = [row[0] for row in workbook["字段说明"].iter_rows(min_row=2, values_only=True)]
    assert notes == HEADERS  # every column documented
    sheet = workbook["抽检记录"]
    sheet.append(template_row(1))
    sheet.append(
        template_row(
            2,
            verdict="不合格",
            retest_requested="是",
            retest_outcome="维持原结论",
            test_items="菌落总数║2100║≤100000║CFU/g║GB 7099-2015║合格\n"
            "霉菌║220║≤150║CFU/g║GB 7099-2015║不合格",
            manufacturer_uscc=VALID_USCC,
        )
    )
    workbook.save(xlsx)
    assert Importer(prepared).import_file(xlsx).landed == 2

    plain = tmp_path / "template.csv"
    write_template(plain, "csv")
    with plain.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(template_row(3, report_no="", sample_no="DC-3"))
    summary = Importer(prepared).import_file(plain)
    assert (summary.landed, summary.rejected) == (1, 0)

    with unit_of_work(prepared) as session:
        second = session.scalars(
            select(SamplingInspection).where(SamplingInspection.report_no == "GDJ2025-000002")
        ).one()
        third = session.scalars(
            select(SamplingInspection).where(SamplingInspection.sample_no == "DC-3")
        ).one()
        assert [(i.item, i.verdict) for i in second.items] == [
            ("菌落总数", "pass"),
            ("霉菌", "fail"),
        ]
        assert (second.verdict, second.retest_requested, second.retest_outcome) == (
            "fail",
            True,
            "upheld",
        )
        assert second.manufacturer_uscc == VALID_USCC
        assert second.announcement_date == dt.date(2025, 8, 15)
        assert third.natural_key == "S:东莞市食品药品检验所|DC-3"


def test_bad_files_are_one_line_errors(prepared: Engine, tmp_path: Path) -> None:
    importer = Importer(prepared)
    with pytest.raises(InputError, match="no such file"):
        importer.import_file(tmp_path / "missing.csv")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match=r"unsupported file type \.txt"):
        importer.import_file(tmp_path / "a.txt")
    write_csv(tmp_path / "cols.csv", ["序号", "产品名称"], [["1", "蛋糕"]])
    with pytest.raises(InputError, match=r"missing column.*分类.*被抽样单位名称"):
        importer.import_file(tmp_path / "cols.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty"):
        importer.import_file(tmp_path / "empty.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"broken\.xlsx: cannot read the workbook"):
        importer.import_file(tmp_path / "broken.xlsx")


def test_cli_import_prints_summary_and_errors_without_traceback(
    prepared: Engine, cli_env: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "cli.csv", HEADERS, [template_row(1), template_row(2, category="?")]
    )
    runner = CliRunner()
    result = runner.invoke(
        root, ["inspection", "import", str(path), "--rejects", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 landed, 1 rejected, 0 already present" in result.output
    assert (tmp_path / "r" / "cli.rejects.csv").is_file()
    again = runner.invoke(root, ["inspection", "import", str(path)])
    assert "0 landed, 1 rejected, 1 already present" in again.output
    bad = runner.invoke(root, ["inspection", "import", str(tmp_path / "nope.xlsx")])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
    assert "nope.xlsx: no such file" in bad.output
