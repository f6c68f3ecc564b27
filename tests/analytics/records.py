"""Hand-built inspection records for the pass-rate, indicator and mart tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import typer
from sqlalchemy import Engine, func, insert, select

from qcity.inspection.models import InspectionCategory, SamplingInspection
from qcity.registry.models import Industry, MarketEntity, OrgUnit

CITY = "441900000000"
TOWNS = ("441900003000", "441900004000")  # 东城街道, 南城街道
# code -> (domain, industry)
CATEGORIES = {
    "T-FOOD-1": ("food", None),
    "T-FOOD-2": ("food", None),
    "T-AGRI-1": ("agri", None),
    "T-MFG-1": ("manufactured", "38"),
    "T-CON-1": ("consumer", "18"),
}
NOW = dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Batch:
    """``samples`` inspections of which ``failed`` failed, all alike."""

    day: dt.date
    town: str
    category: str
    samples: int
    failed: int
    source: str = "市级监督抽检"
    entity: int | None = None


def seed_reference(engine: Engine) -> None:
    """City, two towns, two industries, the test categories and two market entities."""
    with engine.begin() as c:
        c.execute(
            insert(OrgUnit),
            [
                {
                    "code": CITY,
                    "parent_code": None,
                    "level": 1,
                    "kind": "city",
                    "name_zh_hans": "东莞市",
                    "name_zh_hant": "東莞市",
                    "name_en": "Dongguan",
                },
                {
                    "code": TOWNS[0],
                    "parent_code": CITY,
                    "level": 2,
                    "kind": "subdistrict",
                    "name_zh_hans": "东城街道",
                    "name_zh_hant": "東城街道",
                    "name_en": "Dongcheng",
                },
                {
                    "code": TOWNS[1],
                    "parent_code": CITY,
                    "level": 2,
                    "kind": "subdistrict",
                    "name_zh_hans": "南城街道",
                    "name_zh_hant": "南城街道",
                    "name_en": "Nancheng",
                },
            ],
        )
        c.execute(
            insert(Industry),
            [
                {
                    "code": "C",
                    "level": "section",
                    "parent_code": None,
                    "name_zh_hans": "制造业",
                    "name_zh_hant": "製造業",
                    "name_en": "Manufacturing",
                },
                {
                    "code": "18",
                    "level": "division",
                    "parent_code": "C",
                    "name_zh_hans": "纺织服装",
                    "name_zh_hant": "紡織服裝",
                    "name_en": "Apparel",
                },
                {
                    "code": "38",
                    "level": "division",
                    "parent_code": "C",
                    "name_zh_hans": "电气机械",
                    "name_zh_hant": "電氣機械",
                    "name_en": "Electrical machinery",
                },
            ],
        )
        c.execute(
            insert(InspectionCategory),
            [
                {
                    "code": code,
                    "domain": domain,
                    "parent_code": None,
                    "name_zh_hans": code,
                    "name_zh_hant": code,
                    "name_en": code,
                    "industry_code": industry,
                    "aliases": "",
                }
                for code, (domain, industry) in CATEGORIES.items()
            ],
        )
        c.execute(
            insert(MarketEntity),
            [
                {
                    "id": i,
                    "uscc": f"91441900MA{i:07d}X"[:18].ljust(18, "0"),
                    "name": f"企业{i}",
                    "town_code": TOWNS[0],
                    "industry_code": "38",
                    "address": "地址",
                    "size_class": size,
                    "registered_on": dt.date(2020, 1, 1),
                    "status": "active",
                    "legal_representative": "张三",
                }
                for i, size in ((1, "large"), (2, "small"))
            ],
        )


def add_batches(engine: Engine, batches: Iterable[Batch], imported_at: dt.datetime = NOW) -> None:
    with engine.begin() as c:
        start = c.scalar(select(func.coalesce(func.max(SamplingInspection.id), 0))) or 0
        rows = []
        for batch in batches:
            industry = CATEGORIES[batch.category][1]
            for i in range(batch.samples):
                start += 1
                rows.append(
                    {
                        "id": start,
                        "natural_key": f"R:{start}",
                        "task_source": batch.source,
                        "sampling_date": batch.day,
                        "town_code": batch.town,
                        "sampled_entity_id": batch.entity,
                        "sampled_unit_name": "单位",
                        "sampled_unit_address": "地址",
                        "manufacturer_name": "厂",
                        "manufacturer_address": "地址",
                        "manufacturer_uscc": None,
                        "product_name": "样品",
                        "brand": "",
                        "specification": "",
                        "production_batch": "",
                        "category_code": batch.category,
                        "industry_code": industry,
                        "verdict": "fail" if i < batch.failed else "pass",
                        "lab_name": "实验室",
                        "retest_requested": False,
                        "imported_at": imported_at,
                    }
                )
        if rows:
            c.execute(insert(SamplingInspection), rows)


def rows_by(result: Sequence[object], *keys: str) -> dict[tuple[object, ...], dict[str, object]]:
    out = {}
    for row in result:
        data = row.to_dict()  # type: ignore[attr-defined]
        out[tuple(data[k] for k in keys)] = data
    return out


def standard_batches() -> list[Batch]:
    """The records most pass-rate tests use (see the expectations in test_pass_rates.py)."""
    a, b = TOWNS
    d = dt.date
    return [
        Batch(d(2025, 6, 3), a, "T-FOOD-1", 10, 1, entity=1),
        Batch(d(2025, 7, 3), a, "T-FOOD-1", 20, 1),
        Batch(d(2025, 8, 30), a, "T-FOOD-1", 4, 0, entity=2),
        Batch(d(2025, 7, 9), b, "T-MFG-1", 5, 2, entity=2),
        Batch(d(2024, 12, 31), a, "T-AGRI-1", 8, 0),
        Batch(d(2025, 1, 1), a, "T-AGRI-1", 10, 1),
        Batch(d(2025, 4, 15), b, "T-FOOD-2", 6, 3, source="国家监督抽检"),
    ]


def cli_app() -> typer.Typer:
    """The sub-apps wired as the lead wires them into ``qcity.cli`` (with its error handling)."""
    from qcity._cli_support import QcityGroup, sub_app
    from qcity.analytics.cli import app as analytics_app
    from qcity.analytics.cli import pass_rate_command
    from qcity.indicators.cli import app as indicators_app

    root = typer.Typer(cls=QcityGroup, pretty_exceptions_enable=False)
    inspection = sub_app("Sampling inspections.")
    inspection.command("pass-rate")(pass_rate_command)
    root.add_typer(inspection, name="inspection")
    root.add_typer(indicators_app, name="indicators")
    root.add_typer(analytics_app, name="analytics")
    return root
