"""Schemathesis against the app's own OpenAPI schema, in-process (ASGI), on a seeded SQLite
database: no 5xx and responses that match their declared schema, anonymously and with an
admin's API token.

Bounded and repeatable: ``MAX_EXAMPLES`` cases per operation, derandomised (Hypothesis derives
its seed from the test), no example database. Raise QCITY_FUZZ_EXAMPLES to search harder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine

from qcity.accounts import service as accounts_service
from qcity.db import make_engine, unit_of_work
from qcity.inspection import service as inspection_service
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.accounts.helpers import seed_registry

MAX_EXAMPLES = int(os.environ.get("QCITY_FUZZ_EXAMPLES", "12"))


def conforms(ctx: Any, response: Any, case: Any) -> bool | None:
    """Successful responses match their declared schema; errors are the project's error shape.

    A ``QcityError`` answers ``{"detail": "<one line>"}`` (ARCHITECTURE rule 4) while FastAPI's
    generated 422 schema only admits its own validation list, so 4xx bodies are checked for
    the shape both share: a JSON object whose ``detail`` is a non-empty string or list.
    """
    if response.status_code < 400:
        return response_schema_conformance(ctx, response, case)
    body = response.json()
    detail = body.get("detail") if isinstance(body, dict) else None
    assert isinstance(detail, (str, list)) and detail, f"error body without detail: {body!r}"
    return None


CHECKS = [not_a_server_error, conforms]
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def _seed(engine: Engine) -> str:
    """A small registry, categories, two inspections and an admin; returns the admin's token."""
    registry = seed_registry(engine)
    with unit_of_work(engine) as session:
        inspection_service.load_categories(session)
        for ident, verdict in ((1, "pass"), (2, "fail")):
            session.add(
                SamplingInspection(
                    id=ident, natural_key=f"R:FUZZ{ident}", task_source="市级监督抽检",
                    sampling_date=dt.date(2025, 6, ident), town_code="441900003000",
                    sampled_unit_name="东莞测试超市", sampled_unit_address="东莞市东城区1号",
                    manufacturer_name="东莞测试厂", manufacturer_address="东莞市南城区2号",
                    manufacturer_uscc=registry.uscc_a, product_name="大米", brand="测试",
                    specification="5kg/袋", production_batch="2025-05-01", category_code="F01",
                    verdict=verdict, lab_name="东莞市质量检验所", report_no=f"FUZZ{ident}",
                    announcement_no="2025年第7期", announcement_date=dt.date(2025, 7, 15),
                    imported_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
                    items=[TestItemResult(item="镉(以Cd计)", result="0.3", unit="mg/kg",
                                          standard_limit="≤0.2", standard_reference="GB 2762-2022",
                                          verdict=verdict)],
                )
            )  # fmt: skip
        admin = accounts_service.create_user(session, "fuzzadmin", "admin", "fuzz password 123")
        _token, clear = accounts_service.create_api_token(session, admin.id, "schemathesis")
    return clear


# The schema is read at import (schemathesis' fixture-based lazy loader does not work with
# pytest 9: it sets ``node._nodeid``). The app's engine points at a database file that the
# module fixture creates from the migrated template before the first request.
FOLDER = Path(tempfile.mkdtemp(prefix="qcity-fuzz-"))
ENGINE = make_engine(f"sqlite:///{FOLDER / 'qcity.sqlite3'}")
APP = create_app(Settings(env="development", database_url=str(ENGINE.url), data_dir=FOLDER), ENGINE)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin_headers(sqlite_template: Path) -> Iterator[dict[str, str]]:
    """The seeded database behind APP, and the admin's bearer token."""
    ENGINE.dispose()
    shutil.copy(sqlite_template, FOLDER / "qcity.sqlite3")
    token = _seed(ENGINE)
    yield {"Authorization": f"Bearer {token}"}
    ENGINE.dispose()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@FUZZ
def test_anonymous(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(checks=CHECKS)  # the fixture only prepares the database


@schema.parametrize()
@FUZZ
def test_admin_token(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


# --- regression tests for what the fuzzing found (both databases) ------------------------------

TOO_BIG = str(2**63)  # overflowed SQLite's INTEGER (500); 2**31 overflows PostgreSQL's
OUT_OF_RANGE = [
    ("GET", f"/api/inspections?offset={TOO_BIG}", None),
    ("GET", f"/api/inspections/{2**31}", None),
    ("GET", f"/api/registry/entities?offset={TOO_BIG}", None),
    ("GET", f"/api/indicators?offset={TOO_BIG}", None),
    ("GET", f"/api/audit?offset={TOO_BIG}", None),
    ("GET", f"/api/haccp/ccps/{2**31}", None),
    ("GET", f"/api/haccp/deviations/{TOO_BIG}", None),
    ("GET", f"/api/haccp/verifications?ccp_id={TOO_BIG}", None),
    ("GET", f"/api/haccp/corrective-actions?deviation_id={TOO_BIG}", None),
    ("GET", f"/api/haccp/deviations?ccp_id={2**31}", None),
    (
        "POST",
        "/api/haccp/verifications",
        {"ccp_id": 2**63, "period_start": "2025-01-01T00:00:00Z",
         "period_end": "2025-01-02T00:00:00Z", "verified_by": "x",
         "verified_at": "2025-01-02T00:00:00Z"},
    ),
    (
        "POST",
        "/api/haccp/corrective-actions",
        {"deviation_id": 2**31, "action": "x", "taken_by": "x",
         "taken_at": "2025-01-02T00:00:00Z"},
    ),
]  # fmt: skip


@pytest.fixture
def admin_client(engine: Engine) -> Iterator[tuple[Any, dict[str, str]]]:
    token = _seed(engine)
    app = create_app(Settings(env="development", database_url=str(engine.url)), engine)
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "url", "body"), OUT_OF_RANGE)
def test_out_of_range_ids_are_refused_not_500(
    admin_client: tuple[Any, dict[str, str]], method: str, url: str, body: Any
) -> None:
    client, headers = admin_client
    response = client.request(method, url, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert "less than or equal to 2147483647" in response.text


def test_timestamps_carry_their_zone(admin_client: tuple[Any, dict[str, str]]) -> None:
    client, headers = admin_client
    users = client.get("/api/accounts/users", headers=headers).json()
    audit = client.get("/api/audit", headers=headers).json()["items"]
    stamps = [u["created_at"] for u in users] + [row["occurred_at"] for row in audit]
    assert stamps and all(dt.datetime.fromisoformat(s).tzinfo is not None for s in stamps)
