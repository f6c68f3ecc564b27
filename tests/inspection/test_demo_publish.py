"""The demo's inspections (volumes, failure rates, size and season effects, limits) and the
public announcement built from them (published columns, no personal data)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from qcity.db import unit_of_work
from qcity.demo.service import Scale, build_demo
from qcity.inspection._demo import FIRST_DAY, INSPECTIONS_AT_SCALE, LAST_DAY
from qcity.inspection._import import Importer
from qcity.inspection._layouts import PUBLISHED_HEADERS, TEMPLATE
from qcity.inspection._publish import announcement_rows
from qcity.inspection.models import InspectionCategory, SamplingInspection, TestItemResult
from qcity.registry.models import MarketEntity
from tests.inspection.conftest import FIXTURES, root, write_csv

# Bounds: the brief's targets widened by about four standard errors of the small demo's
# per-domain sample sizes (food ~18,000, agri ~4,500, manufactured ~3,900, consumer ~2,400,
# construction ~1,200); national food 2021-2024: 2.69-2.96 % (national_food_sampling_stats.csv).
FAILURE_BOUNDS = {
    "food": (2.4, 3.3),
    "agri": (1.2, 2.4),
    "manufactured": (4.8, 7.3),
    "consumer": (4.9, 8.2),
    "construction": (2.2, 6.0),
}
_LIMIT = re.compile(r"^(≤|<|≥)(-?[\d.]+)")
_RANGE = re.compile(r"^(-?[\d.]+)~(-?[\d.]+)")


@pytest.fixture
def demo(engine: Engine) -> Engine:
    build_demo(engine, Scale.SMALL, seed=5)
    return engine


def _violates(limit: str, result: str, value: float | None) -> bool:
    if limit.startswith("不得检出"):
        return not result.startswith(("未检出", "符合"))
    if value is None:
        assert result in ("未检出", "符合"), (limit, result)
        return False
    if match := _LIMIT.match(limit):
        sign, bound = match.group(1), float(match.group(2))
        return {"≤": value > bound, "<": value >= bound, "≥": value < bound}[sign]
    match = _RANGE.match(limit)
    assert match, limit
    return not float(match.group(1)) <= value <= float(match.group(2))


def test_demo_volumes_rates_and_limits(demo: Engine) -> None:
    with unit_of_work(demo) as session:
        total = session.scalar(select(func.count()).select_from(SamplingInspection))
        first, last = session.execute(
            select(
                func.min(SamplingInspection.sampling_date),
                func.max(SamplingInspection.sampling_date),
            )
        ).one()
        by_domain = session.execute(
            select(InspectionCategory.domain, SamplingInspection.verdict, func.count())
            .join(InspectionCategory, InspectionCategory.code == SamplingInspection.category_code)
            .group_by(InspectionCategory.domain, SamplingInspection.verdict)
        ).all()
        by_size = session.execute(
            select(MarketEntity.size_class, SamplingInspection.verdict, func.count())
            .join(MarketEntity, MarketEntity.id == SamplingInspection.sampled_entity_id)
            .join(InspectionCategory, InspectionCategory.code == SamplingInspection.category_code)
            .where(InspectionCategory.domain.in_(["manufactured", "consumer"]))
            .group_by(MarketEntity.size_class, SamplingInspection.verdict)
        ).all()
        items = session.execute(
            select(
                TestItemResult.standard_limit,
                TestItemResult.result,
                TestItemResult.result_value,
                TestItemResult.verdict,
            )
        ).all()
        unlinked = session.scalar(
            select(func.count())
            .select_from(SamplingInspection)
            .where(SamplingInspection.sampled_entity_id.is_(None))
        )
    assert total == INSPECTIONS_AT_SCALE["small"]
    assert (first, last) >= (FIRST_DAY, FIRST_DAY) and last <= LAST_DAY
    assert first.year == 2023 and last.year == 2025
    assert unlinked == 0  # every sample was taken at a demo market entity
    counts: dict[str, Counter[str]] = {}
    for domain, verdict, n in by_domain:
        counts.setdefault(domain, Counter())[verdict] += n
    for domain, (low, high) in FAILURE_BOUNDS.items():
        rate = 100 * counts[domain]["fail"] / counts[domain].total()
        assert low <= rate <= high, (domain, rate)
    assert counts["food"].total() > counts["agri"].total() > counts["construction"].total()
    sizes: dict[str, Counter[str]] = {}
    for size, verdict, n in by_size:
        group = "small" if size in ("small", "micro") else "large"
        sizes.setdefault(group, Counter())[verdict] += n
    small = sizes["small"]["fail"] / sizes["small"].total()
    large = sizes["large"]["fail"] / sizes["large"].total()
    assert small > 2 * large  # national 2023: small 13.2 % vs large 0.8 % / medium 2.2 %
    assert len(items) > total
    for limit, result, value, verdict in items:
        assert _violates(limit, result, value) == (verdict == "fail"), (limit, result, verdict)


def test_demo_food_hazard_mix_and_summer_microbes(demo: Engine) -> None:
    with unit_of_work(demo) as session:
        rows = session.execute(
            select(
                SamplingInspection.id, SamplingInspection.sampling_date, TestItemResult.hazard_class
            )
            .join(TestItemResult, TestItemResult.inspection_id == SamplingInspection.id)
            .join(InspectionCategory, InspectionCategory.code == SamplingInspection.category_code)
            .where(InspectionCategory.domain == "food", TestItemResult.verdict == "fail")
        ).all()
    first_class: dict[int, tuple[str, int]] = {}
    for inspection_id, day, hazard in rows:
        first_class.setdefault(inspection_id, (hazard, day.month))
    shares = Counter(h for h, _ in first_class.values())
    n = sum(shares.values())
    # national 2022-2024: pesticide residues 33-40 % of failed samples, the largest class
    assert shares.most_common(1)[0][0] == "pesticide_residue"
    assert 0.28 <= shares["pesticide_residue"] / n <= 0.50
    assert 0.10 <= shares["microbial"] / n <= 0.28
    summer = sum(1 for h, m in first_class.values() if h == "microbial" and m in (6, 7, 8, 9))
    winter = sum(1 for h, m in first_class.values() if h == "microbial" and m in (12, 1, 2, 3))
    assert summer > winter


def test_publish_failed_samples_without_personal_data(
    demo: Engine, cli_env: str, tmp_path: Path
) -> None:
    # One record whose address carries a phone number, as real submissions sometimes do.
    row = {c.field: "" for c in TEMPLATE}
    row.update(
        report_no="PHONE-1",
        sampling_date="2025-08-02",
        category="糕点",
        town="虎门",
        sampled_unit_name="东莞市虎门某某饼家",
        sampled_unit_address="虎门镇太沙路1号 电话13812345678",
        product_name="月饼",
        failed_items="霉菌║220CFU/g║≤150CFU/g",
        lab_name="某检验所",
    )
    path = write_csv(
        tmp_path / "phone.csv", [c.header for c in TEMPLATE], [[row[c.field] for c in TEMPLATE]]
    )
    assert Importer(demo).import_file(path).landed == 1

    out = tmp_path / "pub.xlsx"
    result = CliRunner().invoke(
        root,
        ["inspection", "publish", "--period", "2025-Q3", "--format", "xlsx", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    headers, body = table[0], table[1:]
    assert tuple(h if h != "产品名称" else "食品名称" for h in headers) == PUBLISHED_HEADERS
    with unit_of_work(demo) as session:
        expected = session.scalar(
            select(func.count())
            .select_from(SamplingInspection)
            .where(
                SamplingInspection.verdict == "fail",
                SamplingInspection.sampling_date.between(dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
            )
        )
        people = set(session.scalars(select(MarketEntity.legal_representative)))
    assert len(body) == expected > 50
    text = "\n".join("\t".join(str(v) for v in r) for r in body)
    assert "║" in text
    assert all(str(r[9]).count("║") >= 2 for r in body)  # every row names its failed items
    assert "13812345678" not in text and "138****5678" in text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)
    assert not [p for p in people if len(p) >= 3 and p in text]  # no legal representatives

    csv_out = tmp_path / "pub.csv"
    result = CliRunner().invoke(
        root,
        ["inspection", "publish", "--period", "2025-07", "--format", "csv", "--out", str(csv_out)],
    )
    assert result.exit_code == 0, result.output
    with csv_out.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle))[9] == "不合格项目║检验结果║标准值"
    bad = CliRunner().invoke(root, ["inspection", "publish", "--period", "2025-Q9"])
    assert bad.exit_code == 2 and "--period" in bad.output


def test_published_table_imports_back(demo: Engine, engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(demo) as session:
        headers, rows = announcement_rows(session, dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    assert rows
    assert FIXTURES.is_dir()
    path = write_csv(tmp_path / "announced.csv", headers, rows)
    summary = Importer(demo).import_file(path)
    # Published rows carry no report numbers, so they land as new records keyed by content.
    assert summary.rejected == 0 and summary.rows_read == len(rows)
