"""``/api/inspections``, ``/api/inspections/{id}``, the upload import and the categories."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.inspection._layouts import REASON_HEADER
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.api_authz.helpers import authorise
from tests.inspection.conftest import PUBLISHED, read_csv


def _client(engine: Engine) -> TestClient:
    app = create_app(Settings(env="development", database_url=str(engine.url)), engine)
    return authorise(TestClient(app), engine)


@pytest.fixture
def client(prepared: Engine) -> Iterator[TestClient]:
    with _client(prepared) as c:
        yield c


def _upload(client: TestClient, content: bytes, name: str, mode: str = "inline"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/inspections/import?rejects={mode}",
        files={"file": (name, io.BytesIO(content), "text/csv")},
    )


def test_import_list_filter_and_detail(client: TestClient) -> None:
    response = _upload(client, PUBLISHED.read_bytes(), "published.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rows_read"], body["landed"], body["rejected"], body["rejects"]) == (6, 6, 0, [])

    page = client.get("/api/inspections", params={"limit": 4}).json()
    assert (page["total"], page["offset"], page["limit"], len(page["items"])) == (6, 0, 4, 4)
    second = client.get("/api/inspections", params={"limit": 4, "offset": 4}).json()
    assert len(second["items"]) == 2
    ids = {i["id"] for i in page["items"]} | {i["id"] for i in second["items"]}
    assert len(ids) == 6

    def total(**params: str) -> int:
        response = client.get("/api/inspections", params=params)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    assert total(town="441900121000") == 1
    assert total(category="F32") == 2
    assert total(category="F") == 6  # a domain root includes its children
    assert total(domain="food") == 6 and total(domain="agri") == 0
    assert total(verdict="fail") == 6 and total(verdict="pass") == 0
    assert total(date_from="2025-07-03", date_to="2025-07-03") == 6
    assert total(date_from="2025-07-04") == 0
    assert total(task_source="国家市场监督管理总局") == 1
    assert total(q="豇豆") == 1  # product
    assert total(q="天虹商贸") == 1  # sampled unit
    assert total(q="华盛食品") == 1  # manufacturer
    assert client.get("/api/inspections", params={"verdict": "maybe"}).status_code == 422

    found = client.get("/api/inspections", params={"q": "老婆饼"}).json()["items"][0]
    detail = client.get(f"/api/inspections/{found['id']}").json()
    assert detail["product_name"] == "老婆饼"
    assert [i["item"] for i in detail["items"]] == ["菌落总数", "霉菌"]
    assert detail["items"][1] == {
        "item": "霉菌",
        "result": "220CFU/g",
        "result_value": 220.0,
        "unit": "CFU/g",
        "standard_limit": "≤150CFU/g",
        "standard_reference": "",
        "verdict": "fail",
        "hazard_class": "microbial",
    }
    missing = client.get("/api/inspections/999999")
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]

    again = _upload(client, PUBLISHED.read_bytes(), "published.csv").json()
    assert (again["landed"], again["already_present"]) == (0, 6)


def test_import_rejects_inline_or_as_a_file(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    content = PUBLISHED.read_text(encoding="utf-8-sig").replace("餐饮食品", "火锅", 1)
    inline = _upload(client, content.encode(), "bad.csv").json()
    assert (inline["landed"], inline["rejected"]) == (5, 1)
    assert inline["rejects"][0]["row"] == 2
    assert inline["rejects"][0]["reason"] == "row 2: 分类: unknown category '火锅'"
    assert inline["rejects"][0]["cells"]["分类"] == "火锅"

    as_file = _upload(
        client, content.replace("2025年第15期", "2025年第16期").encode(), "bad.csv", mode="file"
    )
    assert as_file.status_code == 200
    assert as_file.headers["x-qcity-import-rejected"] == "1"
    assert "bad.rejects.csv" in as_file.headers["content-disposition"]
    path = tmp_path / "r.csv"
    path.write_bytes(as_file.content)
    (row,) = read_csv(path)
    assert row[REASON_HEADER] == "row 2: 分类: unknown category '火锅'"

    clean = _upload(client, PUBLISHED.read_bytes(), "clean.csv", mode="file")
    assert clean.status_code == 204

    wrong = client.post(
        "/api/inspections/import", files={"file": ("a.pdf", io.BytesIO(b"%PDF"), "application/pdf")}
    )
    assert wrong.status_code == 422 and "a.pdf" in wrong.json()["detail"]
    no_columns = _upload(client, "序号,名称\n1,x\n".encode(), "x.csv")
    assert no_columns.status_code == 422 and "missing column" in no_columns.json()["detail"]


def test_categories_and_openapi(client: TestClient) -> None:
    categories = client.get("/api/inspection-categories").json()
    assert len(categories) == 101
    cake = next(c for c in categories if c["code"] == "F24")
    assert (cake["name_zh_hans"], cake["name_zh_hant"], cake["name_en"]) == (
        "糕点",
        "糕點",
        "Pastries",
    )
    agri = client.get("/api/inspection-categories", params={"domain": "agri"}).json()
    assert {c["domain"] for c in agri} == {"agri"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/inspections",
        "/api/inspections/{inspection_id}",
        "/api/inspections/import",
        "/api/inspection-categories",
    } <= set(paths)
