"""A small city for the board, towns and inspections page tests, with its expected counts.

Three entities (A, B in Dongcheng, C in Nancheng, from tests.accounts.helpers), inspections in
2024 and 2025 across food and manufactured categories, failed items on the failures, and users
of every role. :func:`expected` recounts the seeded rows in plain Python (the independent
computation the pages are checked against).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.accounts import _passwords
from qcity.db import unit_of_work
from qcity.inspection import service as inspection_service
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.accounts.helpers import DONGCHENG, NANCHENG, Registry, add_user, login, seed_registry

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PHONE = "13812345678"


@dataclass(frozen=True)
class Row:
    """One seeded inspection: who, where, when, what and the verdict."""

    id: int
    day: dt.date
    town: str
    category: str
    domain: str
    entity: str | None  # the sampled unit's credit code
    manufacturer: str | None
    verdict: str
    product: str


@dataclass
class City:
    registry: Registry
    rows: list[Row]
    food: str  # a food category code
    manufactured: str  # a manufactured-products category code


@pytest.fixture(autouse=True)
def fast_hasher() -> Iterator[None]:
    previous = _passwords.set_hasher(FAST)
    yield
    _passwords.set_hasher(previous)


def _leaf(engine: Engine, domain: str) -> str:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from qcity.inspection.models import InspectionCategory

    with Session(engine) as session:
        parents = select(InspectionCategory.parent_code).where(
            InspectionCategory.parent_code.is_not(None)
        )
        code = session.scalar(
            select(InspectionCategory.code)
            .where(InspectionCategory.domain == domain, InspectionCategory.code.not_in(parents))
            .order_by(InspectionCategory.code)
        )
    assert code is not None
    return str(code)


def _plan(reg: Registry, food: str, manufactured: str) -> list[tuple[object, ...]]:
    """(day, town, category, domain, sampled uscc, manufacturer uscc, verdict, product)."""
    a, b, c = reg.uscc_a, reg.uscc_b, reg.uscc_c
    plan: list[tuple[object, ...]] = []
    # 2024 food in Dongcheng: 10 samples of A, 2 fail; 2025: 8 of A (1 fail), 6 of B (2 fail)
    plan += [(dt.date(2024, 3, 1 + i), DONGCHENG, food, "food", a, None,
              "fail" if i < 2 else "pass", "米粉") for i in range(10)]  # fmt: skip
    plan += [(dt.date(2025, 2, 1 + i), DONGCHENG, food, "food", a, None,
              "fail" if i == 0 else "pass", "米粉") for i in range(8)]  # fmt: skip
    plan += [(dt.date(2025, 5, 1 + i), DONGCHENG, food, "food", b, a,
              "fail" if i < 2 else "pass", "酱油") for i in range(6)]  # fmt: skip
    # 2025 manufactured in Nancheng: 5 of C (1 fail)
    plan += [(dt.date(2025, 6, 1 + i), NANCHENG, manufactured, "manufactured", c, None,
              "fail" if i == 4 else "pass", "电线") for i in range(5)]  # fmt: skip
    # 2025 food in Nancheng, sampled unit not in the registry: 4, none failed
    plan += [(dt.date(2025, 7, 1 + i), NANCHENG, food, "food", None, None, "pass", "月饼")
             for i in range(4)]  # fmt: skip
    return plan


def seed_city(engine: Engine) -> City:
    """The registry, categories, 33 inspections with items, and one user per role."""
    reg = seed_registry(engine)
    with unit_of_work(engine) as session:
        inspection_service.load_categories(session)
    food, manufactured = _leaf(engine, "food"), _leaf(engine, "manufactured")
    ids = _entity_ids(engine)
    rows: list[Row] = []
    with unit_of_work(engine) as session:
        for number, (day, town, cat, domain, unit, maker, verdict, product) in enumerate(
            _plan(reg, food, manufactured), start=1
        ):
            record = SamplingInspection(
                id=number,
                natural_key=f"R:T{number:04d}",
                task_source="东莞市市场监督管理局" if number % 2 else "广东省市场监督管理局",
                sampling_date=day,
                town_code=town,
                sampled_entity_id=ids.get(str(unit)) if unit else None,
                sampled_unit_name=f"单位{str(unit)[-4:]}" if unit else "个体户王小明",
                sampled_unit_address=f"东莞市某路{number}号 电话{PHONE}",
                manufacturer_name=f"厂家{str(maker)[-4:]}" if maker else "",
                manufacturer_address="",
                manufacturer_uscc=str(maker) if maker else None,
                product_name=f"{product}{number}",
                brand="",
                specification="",
                production_batch="",
                category_code=cat,
                industry_code=None,
                verdict=verdict,
                lab_name="东莞市质量监督检测中心",
                report_no=f"T{number:04d}",
                sample_no=None,
                announcement_no=None,
                announcement_date=None,
                retest_requested=False,
                retest_outcome=None,
                imported_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
            record.items = _items(number, verdict)
            session.add(record)
            rows.append(Row(number, day, town, cat, domain, unit, maker, verdict,  # type: ignore[arg-type]
                            record.product_name))  # fmt: skip
    _users(engine, reg)
    return City(reg, rows, food, manufactured)


def _items(number: int, verdict: str) -> list[TestItemResult]:
    items = [
        TestItemResult(item="铅(以Pb计)", result="0.05", result_value=0.05, unit="mg/kg",
                       standard_limit="≤0.5", standard_reference="GB 2762-2022", verdict="pass")
    ]  # fmt: skip
    if verdict == "fail":
        items.append(
            TestItemResult(item="菌落总数", result=f"{1000 + number}", result_value=1000.0 + number,
                           unit="CFU/g", standard_limit="≤100", standard_reference="GB 2726-2016",
                           verdict="fail", hazard_class="microbial")
        )  # fmt: skip
    return items


def _entity_ids(engine: Engine) -> dict[str, int]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from qcity.registry.models import MarketEntity

    with Session(engine) as session:
        rows = session.execute(select(MarketEntity.uscc, MarketEntity.id)).all()
    return {row[0]: row[1] for row in rows}


def _users(engine: Engine, reg: Registry) -> None:
    add_user(engine, "analyst", "analyst")
    add_user(engine, "admin", "admin")
    add_user(engine, "inspector", "inspector", towns=[NANCHENG])
    add_user(engine, "ent_a", "enterprise", uscc=reg.uscc_a)
    add_user(engine, "ent_c", "enterprise", uscc=reg.uscc_c)


def client_for(engine: Engine, data_dir: Path) -> TestClient:
    """The application over ``engine``, its mart (if any) in ``data_dir``."""
    settings = Settings(env="development", database_url=str(engine.url), data_dir=data_dir)  # type: ignore[arg-type]
    return TestClient(create_app(settings, engine))


def logged_in(engine: Engine, data_dir: Path, username: str) -> TestClient:
    client = client_for(engine, data_dir)
    response = login(client, username)
    assert response.status_code == 303, response.text
    return client


def expected(rows: list[Row], **where: object) -> tuple[int, int]:
    """(samples, failed) among ``rows`` matching ``where`` (year=, town=, domain=, ...)."""
    chosen = [
        r
        for r in rows
        if all((r.day.year if k == "year" else getattr(r, k)) == v for k, v in where.items())
    ]
    return len(chosen), sum(1 for r in chosen if r.verdict == "fail")
