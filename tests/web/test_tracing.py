"""Trace and recall pages: the lots of ``qcity.trace.service``, the graph, spreadsheets, a recall's
lifecycle with its audit trail, and the scoping of enterprise users and inspectors (both backends).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qcity.accounts import _passwords
from qcity.audit.models import AuditLog
from qcity.settings import Settings
from qcity.trace import service as trace_service
from qcity.trace._spreadsheet import KDE_COLUMNS
from qcity.trace.models import RecallHolder
from qcity.web.app import create_app
from tests.accounts.helpers import add_user, csrf_of, login
from tests.trace.conftest import Chain, build_chain


@pytest.fixture(autouse=True)
def fast_hasher() -> Iterator[None]:
    previous = _passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    _passwords.set_hasher(previous)


@pytest.fixture
def chain(engine: Engine) -> Iterator[Chain]:
    built = build_chain(engine)
    add_user(engine, "analyst", "analyst")
    add_user(engine, "shop", "enterprise", uscc=built.parties["shop"].uscc)
    add_user(engine, "farm", "enterprise", uscc=built.parties["farm"].uscc)
    add_user(engine, "inspector", "inspector", towns=[built.parties["dist"].town])
    yield built
    trace_service.forget_index()


@pytest.fixture
def app_settings(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(env="development", database_url=str(engine.url), data_dir=tmp_path)  # type: ignore[arg-type]


def _client(engine: Engine, settings: Settings, user: str | None) -> TestClient:
    client = TestClient(create_app(settings, engine))
    if user is not None:
        assert login(client, user).status_code == 303
    return client


def _lots(page: str) -> set[str]:
    return {html.unescape(m) for m in re.findall(r'<tr data-lot="([^"]+)"', page)}


def _graph(page: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="trace-data">(.*?)</script>', page)
    assert match, "no graph data"
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_login_required(engine: Engine, app_settings: Settings) -> None:
    with _client(engine, app_settings, None) as anonymous:
        for path in ("/trace", "/recalls", "/recalls/1"):
            response = anonymous.get(path, follow_redirects=False)
            assert response.status_code == 303 and "/login" in response.headers["location"]


def test_trace_page_lists_the_service_lots(
    engine: Engine, app_settings: Settings, chain: Chain
) -> None:
    with Session(engine) as session:
        forward, _ = trace_service.trace(session, chain.farm_lot, "forward")
        backward, _ = trace_service.trace(session, chain.product, "backward")
    with _client(engine, app_settings, "analyst") as client:
        empty = client.get("/trace").text
        assert 'data-example="product"' in empty and 'data-example="qcity_lot"' in empty
        page = client.get("/trace", params={"id": chain.farm_lot, "direction": "forward"})
        assert page.status_code == 200
        assert _lots(page.text) == {r.id for r in forward.lots}
        rows = page.text.count("<tr data-lot=")
        assert rows == len(forward.lots)
        graph = _graph(page.text)
        kinds = {k for link in graph["links"] for k in link["kind"].split("/")}  # type: ignore[attr-defined]
        assert {"ship", "transform", "aggregate"} <= kinds
        assert 'data-testid="recall-form"' in page.text and "js/tracing.js" in page.text
        back = client.get("/trace", params={"id": chain.product, "direction": "backward"})
        assert _lots(back.text) == {r.id for r in backward.lots}
        missing = client.get("/trace", params={"id": "urn:epc:id:sgtin:6900000.0000.1"})
        assert missing.status_code == 404 and 'data-testid="trace-error"' in missing.text


def test_identifier_forms_reach_the_same_lot(
    engine: Engine, app_settings: Settings, chain: Chain
) -> None:
    with _client(engine, app_settings, "analyst") as client:
        examples = re.findall(
            r'href="/trace\?id=([^&]+)&amp;direction=(\w+)" data-example="(\w+)"',
            client.get("/trace").text,
        )
        assert len(examples) == 4
        seen = set()
        for value, _direction, kind in examples:
            if kind in ("digital_link", "qcity_lot", "product"):
                page = client.get(f"/trace?id={value}&direction=backward")
                assert page.status_code == 200, (kind, page.text[:300])
                seen.add(frozenset(_lots(page.text)))
        assert len(seen) == 1


def test_recall_spreadsheets(engine: Engine, app_settings: Settings, chain: Chain) -> None:
    with _client(engine, app_settings, "analyst") as client:
        xlsx = client.get("/trace/scope.xlsx", params={"id": chain.farm_lot})
        assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
        book = load_workbook(io.BytesIO(xlsx.content))
        assert [c.value for c in book["KDE"][1]] == list(KDE_COLUMNS)
        assert book["KDE"].max_row > 5
        text = client.get("/trace/scope.csv", params={"id": chain.farm_lot}).content
        table = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        assert tuple(table[0]) == KDE_COLUMNS and len(table) == book["KDE"].max_row
        assert client.get("/trace/scope.pdf", params={"id": chain.farm_lot}).status_code == 404


def _start(client: TestClient, identifier: str, reason: str = "沙门氏菌不合格"):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/trace", params={"id": identifier, "direction": "forward"}).text)
    return client.post(
        "/recalls",
        data={
            "csrf_token": token,
            "identifier": identifier,
            "reason": reason,
            "hazard": "microbial",
        },
        follow_redirects=False,
    )


def test_recall_start_progress_and_audit(
    engine: Engine, app_settings: Settings, chain: Chain
) -> None:
    shop = chain.parties["shop"].uscc
    with _client(engine, app_settings, "analyst") as client:
        assert _start(client, chain.product, reason=" ").status_code == 422
        started = _start(client, chain.product)
        assert started.status_code == 303
        location = started.headers["location"]
        case_id = int(location.rsplit("/", 1)[1])
        page = client.get(location)
        assert page.status_code == 200 and "沙门氏菌不合格" in page.text
        assert page.text.count('<tr id="holder-') == 2
        assert f"/recalls/{case_id}" in client.get("/recalls").text
        with Session(engine) as session:
            holder = session.scalars(
                select(RecallHolder).where(
                    RecallHolder.case_id == case_id, RecallHolder.holder == shop
                )
            ).one()
        url = f"/recalls/{case_id}/holders/{holder.id}/progress"
        token = csrf_of(page.text)
        headers = {"HX-Request": "true", "X-CSRF-Token": token}
        row = client.post(
            url, data={"state": "removed", "quantity": "35", "note": "已下架"}, headers=headers
        )
        assert row.status_code == 200 and row.text.lstrip().startswith("<tr")
        assert 'data-state="removed"' in row.text and "<html" not in row.text
        back = client.post(url, data={"state": "acknowledged"}, headers=headers)
        assert back.status_code == 200 and "召回只能向前推进" in back.text
        no_quantity = client.post(
            url, data={"state": "destroyed", "quantity": "x"}, headers=headers
        )
        assert "Quantity" in no_quantity.text or "数量" in no_quantity.text
        missing = client.post(url, data={"state": "destroyed"}, headers=headers)
        assert "请填写下架或销毁的数量" in missing.text and 'data-state="removed"' in missing.text
        assert client.post(url, data={"state": "removed"}).status_code == 403  # no CSRF token
    with Session(engine) as session:
        audit = session.scalars(
            select(AuditLog).where(AuditLog.table_name.in_(("recall_case", "recall_holder")))
        ).all()
    assert any(
        a.table_name == "recall_case" and a.action == "insert" and a.actor == "user:analyst"
        for a in audit
    )
    updates = [a for a in audit if a.table_name == "recall_holder" and a.action == "update"]
    assert updates and updates[-1].actor == "user:analyst"
    assert updates[-1].after["state"] == "removed" and updates[-1].before["state"] == "notified"


def test_enterprise_sees_only_its_own_lots(
    engine: Engine, app_settings: Settings, chain: Chain
) -> None:
    shop = chain.parties["shop"].uscc
    with _client(engine, app_settings, "analyst") as analyst:
        case_id = int(_start(analyst, chain.product).headers["location"].rsplit("/", 1)[1])
        other_case = int(_start(analyst, chain.split_output).headers["location"].rsplit("/", 1)[1])
    with _client(engine, app_settings, "shop") as client:
        page = client.get("/trace", params={"id": chain.product, "direction": "forward"})
        assert page.status_code == 200 and 'data-testid="trace-scope"' in page.text
        holders = set(re.findall(r"<small>(\w{18})</small>", page.text))
        assert holders == {shop}
        assert (
            "positions of other enterprises are not shown" in page.text or "其他企业" in page.text
        )
        assert 'data-testid="recall-form"' not in page.text
        graph = _graph(page.text)
        assert all(n["id"].endswith(f"|{shop}") for n in graph["nodes"])  # type: ignore[attr-defined]
        # the farm's lot does not involve the shop: refused exactly like an unknown identifier
        refused = client.get("/trace", params={"id": chain.farm_lot2, "direction": "backward"})
        unknown = client.get("/trace", params={"id": "urn:epc:id:sgtin:6900000.0000.1"})
        assert refused.status_code == unknown.status_code == 404
        assert client.get("/trace/scope.xlsx", params={"id": chain.farm_lot2}).status_code == 404
        assert _start(client, chain.product).status_code == 403
        assert client.get(f"/recalls/{other_case}").status_code == 404
        listing = client.get("/recalls").text
        assert f'data-case="{case_id}"' in listing and f'data-case="{other_case}"' not in listing
        detail = client.get(f"/recalls/{case_id}").text
        assert detail.count('<tr id="holder-') == 1 and f'data-holder="{shop}"' in detail
        with Session(engine) as session:
            other = session.scalars(
                select(RecallHolder).where(
                    RecallHolder.case_id == case_id, RecallHolder.holder != shop
                )
            ).one()
        token = csrf_of(detail)
        response = client.post(
            f"/recalls/{case_id}/holders/{other.id}/progress",
            data={"state": "acknowledged", "csrf_token": token},
        )
        assert response.status_code == 404
        with Session(engine) as session:
            assert session.get(RecallHolder, other.id).state == "notified"  # type: ignore[union-attr]


def test_inspector_sees_its_towns(engine: Engine, app_settings: Settings, chain: Chain) -> None:
    dist = chain.parties["dist"].uscc
    with _client(engine, app_settings, "inspector") as client:
        page = client.get("/trace", params={"id": chain.product, "direction": "forward"})
        assert page.status_code == 200
        assert set(re.findall(r"<small>(\w{18})</small>", page.text)) == {dist}
        assert "your towns" in page.text or "辖区" in page.text


def test_enterprise_examples_are_its_own(
    engine: Engine, app_settings: Settings, chain: Chain
) -> None:
    farm_prefix = f"urn:epc:class:lgtin:{chain.parties['farm'].cp}."
    with _client(engine, app_settings, "farm") as client:
        page = client.get("/trace").text
        lots = re.findall(r'title="(urn:epc:[^"]+)"', page)
        assert lots and all(lot.startswith(farm_prefix) for lot in lots)
        first = client.get("/trace", params={"id": html.unescape(lots[0]), "direction": "forward"})
        assert first.status_code == 200
