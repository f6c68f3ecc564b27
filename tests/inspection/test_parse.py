"""Cell parsers: dates, verdicts, the ║ item cells, periods, categories and layouts."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from qcity.errors import InputError
from qcity.inspection._layouts import PUBLISHED_HEADERS, field_for_header
from qcity.inspection._parse import (
    CellError,
    hazard_class,
    parse_date,
    parse_failed_items,
    parse_retest_outcome,
    parse_test_items,
    parse_verdict,
    split_result,
)
from qcity.inspection.service import packaged_file, parse_period, read_categories
from tests.inspection.conftest import FIXTURES


@pytest.mark.parametrize(
    "text",
    [
        "2025-07-03",
        "2025/7/3",
        "2025年7月3日",
        "2025.07.03",
        "45841",
        "45841.0",
        "20250703",
        "2025-07-03 00:00:00",
    ],
)
def test_dates_in_every_accepted_spelling(text: str) -> None:
    assert parse_date(text) == dt.date(2025, 7, 3)


@pytest.mark.parametrize("text", ["2025-13-01", "2025-02-30", "昨天", "7/3/2025", "12"])
def test_unreadable_dates_say_why(text: str) -> None:
    with pytest.raises(CellError, match=repr(text.strip())):
        parse_date(text)


def test_published_item_cell_with_the_readme_example() -> None:
    (item,) = parse_failed_items("大肠菌群║检出/50cm2║不得检出/50cm2")
    assert (item.item, item.result, item.standard_limit, item.verdict) == (
        "大肠菌群",
        "检出/50cm2",
        "不得检出/50cm2",
        "fail",
    )
    assert item.result_value is None
    assert item.hazard_class == "microbial"


@pytest.mark.parametrize("separator", ["\n", "\r\n", "；", ";", "；\n"])
def test_several_failed_items_separated_by_newlines_or_semicolons(separator: str) -> None:
    cell = f"腐霉利║0.53mg/kg║≤0.2mg/kg{separator}克百威║0.05mg/kg║≤0.02mg/kg"
    items = parse_failed_items(cell)
    assert [i.item for i in items] == ["腐霉利", "克百威"]
    assert [i.result_value for i in items] == [0.53, 0.05]
    assert [i.unit for i in items] == ["mg/kg", "mg/kg"]
    assert {i.hazard_class for i in items} == {"pesticide_residue"}


def test_result_values_with_powers_of_ten() -> None:
    assert split_result("2.1×10⁵CFU/g") == (pytest.approx(210_000.0), "CFU/g")
    assert split_result("1.5x10^3 CFU/g") == (pytest.approx(1500.0), "CFU/g")
    assert split_result("检出") == (None, "")


def test_malformed_item_cells_are_errors() -> None:
    with pytest.raises(CellError, match="项目║检验结果║标准值"):
        parse_failed_items("铅║1║2║3")
    with pytest.raises(CellError, match="6 parts"):
        parse_test_items("铅║0.1║≤0.5")
    with pytest.raises(CellError, match="合格 or 不合格"):
        parse_test_items("铅║0.1║≤0.5║mg/kg║GB 2762-2022║maybe")


def test_template_item_cell() -> None:
    items = parse_test_items(
        "菌落总数║2100║≤100000║CFU/g║GB 7099-2015║合格\n霉菌║220║≤150║CFU/g║GB 7099-2015║不合格"
    )
    assert [(i.item, i.verdict, i.unit, i.standard_reference) for i in items] == [
        ("菌落总数", "pass", "CFU/g", "GB 7099-2015"),
        ("霉菌", "fail", "CFU/g", "GB 7099-2015"),
    ]


def test_verdicts_and_retest_outcomes() -> None:
    assert parse_verdict("合格") == "pass"
    assert parse_verdict(" 不合格 ") == "fail"
    assert parse_verdict("") is None
    with pytest.raises(CellError):
        parse_verdict("待定")
    assert parse_retest_outcome("维持原结论") == "upheld"
    assert parse_retest_outcome("改变原结论") == "overturned"
    assert parse_retest_outcome("") is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("腐霉利", "pesticide_residue"),
        ("毒死蜱", "pesticide_residue"),
        ("恩诺沙星(以恩诺沙星与环丙沙星之和计)", "veterinary_drug"),
        ("镉(以Cd计)", "heavy_metal"),
        ("黄曲霉毒素B1", "organic_contaminant"),
        ("脱氢乙酸及其钠盐(以脱氢乙酸计)", "additive"),
        ("酸价(以脂肪计)(KOH)", "quality_index"),
        ("沙门氏菌", "microbial"),
        ("多菌灵", "pesticide_residue"),
    ],
)
def test_hazard_classes(item: str, expected: str) -> None:
    assert hazard_class(item) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", "2025-01-01", "2025-12-31"),
        ("2025-Q3", "2025-07-01", "2025-09-30"),
        ("2025-q1", "2025-01-01", "2025-03-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-12", "2025-12-01", "2025-12-31"),
    ],
)
def test_periods(text: str, start: str, end: str) -> None:
    period = parse_period(text)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["2025-Q5", "2025-13", "last year", "25"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(InputError, match="--period"):
        parse_period(text)


def test_every_published_header_is_understood() -> None:
    assert all(field_for_header(h) for h in PUBLISHED_HEADERS if h != "序号")
    assert field_for_header("不合格项目‖检验结果‖标准值") == "failed_items"
    assert field_for_header(" 产品名称 ") == "product_name"
    assert field_for_header("备注") is None


def test_packaged_categories_cover_every_domain_and_the_34_food_categories() -> None:
    categories = read_categories(packaged_file("categories.csv"))
    by_domain: dict[str, list[str]] = {}
    for c in categories:
        by_domain.setdefault(c.domain, []).append(c.name_zh_hans)
    with (FIXTURES / "food_categories.csv").open(encoding="utf-8") as handle:
        food = [row["name_zh_hans"] for row in csv.DictReader(handle)]
    assert len(food) == 34
    assert set(food) <= set(by_domain["food"])
    assert {"蔬菜", "水果", "畜禽肉及副产品", "水产品", "鲜蛋"} <= set(by_domain["agri"])
    divisions = {c.industry_code for c in categories if c.domain == "manufactured"} - {None}
    assert divisions == {str(d) for d in range(13, 44)}  # GB/T 4754 divisions 13-43
    assert {"儿童用品", "纺织服装", "家用电器", "家具", "日用杂品", "电子产品"} <= set(
        by_domain["consumer"]
    )
    assert {"钢筋", "水泥", "混凝土", "防水材料", "建筑用电线电缆"} <= set(
        by_domain["construction"]
    )
    assert all(c.name_zh_hant and c.name_en for c in categories)


def test_packaged_test_items_equal_the_shared_reference() -> None:
    ours = packaged_file("test_items.csv").read_text(encoding="utf-8")
    shared = (FIXTURES / "test_items.csv").read_text(encoding="utf-8")
    assert ours == shared
