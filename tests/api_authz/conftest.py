"""A small city for the API authorisation tests: three entities, three inspections, users.

Entities A and B are in Dongcheng, C in Nancheng. Inspection 1 sampled A (in Dongcheng),
inspection 2 names B as the nominal manufacturer (sampled at an unregistered shop in
Dongcheng), inspection 3 sampled C (in Nancheng). Every role gets an API token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from qcity.db import unit_of_work
from qcity.inspection import service as inspection_service
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.registry.models import MarketEntity
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.accounts.helpers import DONGCHENG, NANCHENG, Registry, seed_registry
from tests.api_authz.helpers import token_headers


@dataclass(frozen=True)
class City:
    registry: Registry
    headers: dict[str, dict[str, str]]  # role name -> Authorization header
    inspections: dict[str, int]  # "a", "b", "c" -> inspection id

    def as_(self, who: str) -> dict[str, str]:
        return self.headers[who]


def _inspection(ident: int, town: str, verdict: str, **fields: object) -> SamplingInspection:
    return SamplingInspection(
        id=ident, natural_key=f"R:AUTHZ{ident}", task_source="市级监督抽检",
        sampling_date=dt.date(2025, 6, ident), town_code=town, sampled_unit_name="东莞测试超市",
        sampled_unit_address="东莞市1号", manufacturer_name="东莞测试厂",
        manufacturer_address="东莞市2号", product_name="大米", brand="测试",
        specification="5kg/袋", production_batch="2025-05-01", category_code="F01",
        verdict=verdict, lab_name="东莞市质量检验所", report_no=f"AUTHZ{ident}",
        imported_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
        items=[TestItemResult(item="镉(以Cd计)", result="0.3", unit="mg/kg",
                              standard_limit="≤0.2", standard_reference="GB 2762-2022",
                              verdict=verdict)],
        **fields,
    )  # fmt: skip


@pytest.fixture
def city(engine: Engine) -> City:
    registry = seed_registry(engine)
    with unit_of_work(engine) as session:
        inspection_service.load_categories(session)
        ids = dict(session.execute(select(MarketEntity.uscc, MarketEntity.id)).all())  # type: ignore[arg-type]
        session.add(_inspection(1, DONGCHENG, "pass", sampled_entity_id=ids[registry.uscc_a]))
        session.add(_inspection(2, DONGCHENG, "fail", manufacturer_uscc=registry.uscc_b))
        session.add(_inspection(3, NANCHENG, "fail", sampled_entity_id=ids[registry.uscc_c]))
    if engine.dialect.name == "postgresql":  # the rows above took ids 1-3 by hand
        with engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('sampling_inspection', 'id'), 3)")
            )
    headers = {
        "admin": token_headers(engine, "boss", "admin"),
        "analyst": token_headers(engine, "analyst", "analyst"),
        "ent_a": token_headers(engine, "ent-a", "enterprise", uscc=registry.uscc_a),
        "ent_b": token_headers(engine, "ent-b", "enterprise", uscc=registry.uscc_b),
        "ent_c": token_headers(engine, "ent-c", "enterprise", uscc=registry.uscc_c),
        "insp_nancheng": token_headers(engine, "insp-n", "inspector", towns=[NANCHENG]),
        "insp_dongcheng": token_headers(engine, "insp-d", "inspector", towns=[DONGCHENG]),
        "anonymous": {},
    }
    return City(registry, headers, {"a": 1, "b": 2, "c": 3})


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The app without credentials: each request names its user with ``headers=``."""
    app = create_app(Settings(env="development", database_url=str(engine.url)), engine)
    with TestClient(app) as test_client:
        yield test_client
