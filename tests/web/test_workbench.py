"""The SPC workbench: uploads, the numbers on the page and in the CSV, clear errors (both backends).

Reference values: qcc 3.0 vignette (tests/fixtures/web/SOURCES.md); the page and the CSV must also
equal what :mod:`qcity.spc` computes for the same data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine

from qcity.accounts import _passwords
from qcity.registry.uscc import make_uscc
from qcity.spc import capability, charts
from tests.accounts.helpers import add_user, csrf_of, login, make_client

FIXTURES = Path(__file__).parents[1] / "fixtures" / "web"
PISTONRINGS = FIXTURES / "pistonrings_trial.csv"
ORANGEJUICE = FIXTURES / "orangejuice_trial.csv"


@pytest.fixture(autouse=True)
def fast_hasher() -> Iterator[None]:
    previous = _passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    _passwords.set_hasher(previous)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    add_user(engine, "engineer", "enterprise", uscc=make_uscc("91", "441900", "MA000001"))
    with make_client(engine) as client:
        assert login(client, "engineer").status_code == 303
        yield client


def _post(
    client: TestClient,
    path: Path | None,
    name: str | None = None,
    content: bytes | None = None,
    lang: str = "en",
    **form: object,
) -> object:
    token = csrf_of(client.get(f"/spc?lang={lang}").text)
    files = None
    if path is not None or content is not None:
        body = path.read_bytes() if path is not None else content
        files = {"file": (name or (path.name if path else "x.csv"), body, "text/csv")}
    return client.post("/spc", data={"csrf_token": token, **form}, files=files)


def _stat(html: str, name: str) -> float:
    match = re.search(rf'data-stat="{name}">([^<]+)<', html)
    assert match, f"no {name} on the page"
    return float(match.group(1))


def _pistonrings() -> tuple[np.ndarray, list[str]]:
    with PISTONRINGS.open() as handle:
        rows = list(csv.DictReader(handle))
    return np.array([float(r["diameter"]) for r in rows]), [r["sample"] for r in rows]


def test_login_required(engine: Engine) -> None:
    with make_client(engine) as anonymous:
        response = anonymous.get("/spc", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_empty_workbench_offers_a_sample(client: TestClient) -> None:
    html = client.get("/spc").text
    assert 'href="/spc/sample.csv"' in html and 'enctype="multipart/form-data"' in html
    sample = client.get("/spc/sample.csv")
    text = sample.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "样本组,净含量_g" and len(text.splitlines()) == 126
    token = csrf_of(html)
    result = client.post(
        "/spc",
        data={
            "csrf_token": token,
            "chart": "xbar-r",
            "columns": "净含量_g",
            "subgroup_column": "样本组",
        },
        files={"file": ("spc-sample.csv", sample.content, "text/csv")},
    )
    assert result.status_code == 200 and 'data-testid="spc-violations"' in result.text


def test_xbar_r_matches_the_library_and_qcc(client: TestClient) -> None:
    response = _post(
        client,
        PISTONRINGS,
        chart="xbar-r",
        columns="diameter",
        subgroup_column="sample",
        lsl="73.95",
        usl="74.05",
    )
    html = response.text  # type: ignore[attr-defined]
    assert response.status_code == 200, html  # type: ignore[attr-defined]
    values, labels = _pistonrings()
    expected = charts.xbar_r_chart(values, labels=labels)
    # published qcc 3.0 values (vignette), at their printed precision
    assert _stat(html, "center") == pytest.approx(74.00118, abs=5e-6)
    assert _stat(html, "lcl") == pytest.approx(73.98805, abs=5e-6)
    assert _stat(html, "ucl") == pytest.approx(74.0143, abs=5e-5)
    # and the library's numbers, at the page's 7 significant digits
    for name, value in (
        ("center", expected.center),
        ("lcl", expected.lcl),
        ("ucl", expected.ucl),
        ("sigma", expected.sigma),
    ):
        assert _stat(html, name) == pytest.approx(float(value), rel=1e-6)
    cap = capability.capability(values.reshape(25, 5), lsl=73.95, usl=74.05, subgroups=None)
    row = re.search(r'data-index="cp"><th scope="row">Cp</th><td>([^<]+)</td><td>([^<]+)<', html)
    assert row and float(row.group(1)) == pytest.approx(cap.cp, abs=5e-4)  # 4 digits shown
    assert float(row.group(1)) == pytest.approx(1.70, abs=0.005)  # qcc vignette
    cpk = re.search(r'data-index="cpk"><th scope="row">Cpk</th><td>([^<]+)<', html)
    assert cpk and float(cpk.group(1)) == pytest.approx(1.66, abs=0.005)
    low, high = (float(x) for x in row.group(2).split("–"))
    assert cap.cp_ci is not None
    assert (low, high) == (
        pytest.approx(cap.cp_ci.lower, abs=5e-4),
        pytest.approx(cap.cp_ci.upper, abs=5e-4),
    )
    assert (round(cap.cp_ci.lower, 2), round(cap.cp_ci.upper, 2)) == (1.49, 1.91)  # qcc
    assert 'id="spc-chart"' in html and 'id="spc-histogram"' in html and "js/workbench.js" in html


def test_csv_download_equals_the_library(client: TestClient) -> None:
    page = _post(client, ORANGEJUICE, chart="p", columns="D", size_column="size", rules="we")
    html = page.text  # type: ignore[attr-defined]
    assert page.status_code == 200, html  # type: ignore[attr-defined]
    dataset = re.search(r'name="dataset" value="([^"]*)"', html)
    assert dataset
    import html as html_lib

    token = csrf_of(html)
    response = client.post(
        "/spc/results.csv",
        data={
            "csrf_token": token,
            "dataset": html_lib.unescape(dataset.group(1)),
            "chart": "p",
            "columns": "D",
            "size_column": "size",
            "rules": "we",
        },
    )
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    with ORANGEJUICE.open() as handle:
        rows = list(csv.DictReader(handle))
    counts = np.array([float(r["D"]) for r in rows])
    expected = charts.p_chart(counts, np.array([float(r["size"]) for r in rows]), rules="we")
    assert [float(r["value"]) for r in table] == pytest.approx(expected.points.tolist())
    assert float(table[0]["center"]) == pytest.approx(0.2313333, abs=5e-8)  # qcc
    assert float(table[0]["ucl"]) == pytest.approx(0.4102391, abs=5e-8)
    assert float(table[0]["lcl"]) == pytest.approx(0.05242755, abs=5e-9)
    flagged = {int(r["point"]): r["rule"] for r in table if r["rule"]}
    assert flagged == {i + 1: f"WE{r}" for r, i in expected.violations.tolist()}
    assert {15, 23} <= set(flagged)  # qcc: samples 15 and 23 out of control
    assert all(table[p - 1]["violation"] for p in flagged)


def test_xlsx_and_wide_layout(client: TestClient, tmp_path: Path) -> None:
    values, _labels = _pistonrings()
    book = Workbook()
    sheet = book.active
    sheet.append(["x1", "x2", "x3", "x4", "x5"])
    for row in values.reshape(25, 5).tolist():
        sheet.append(row)
    path = tmp_path / "wide.xlsx"
    book.save(path)
    response = _post(client, path, chart="xbar-s", columns=["x1", "x2", "x3", "x4", "x5"])
    html = response.text  # type: ignore[attr-defined]
    assert response.status_code == 200, html  # type: ignore[attr-defined]
    expected = charts.xbar_s_chart(values, subgroup_size=5)
    assert _stat(html, "ucl") == pytest.approx(float(expected.ucl), rel=1e-5)
    assert _stat(html, "points") == 25


def test_upload_without_column_asks_for_one(client: TestClient) -> None:
    response = _post(client, PISTONRINGS)
    html = response.text  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert '<option value="diameter"' in html and 'id="spc-chart"' not in html
    assert "pistonrings_trial.csv" in html


@pytest.mark.parametrize(
    ("name", "content", "form", "message"),
    [
        ("data.txt", b"x\n1\n", {"columns": "x"}, "data.txt: files of type .txt are not read here"),
        ("empty.csv", b"", {"columns": "x"}, "empty.csv is empty"),
        ("header.csv", b"x,y\n", {"columns": "x"}, "header.csv has a header row but no data rows"),
        (
            "bad.csv",
            b"x\n1\n2\nabc\n4\n5\n6\n",
            {"columns": "x", "chart": "i-mr"},
            "bad.csv: column x, row 4: “abc” is not a number",
        ),
        (
            "few.csv",
            b"x\n1\n2\n3\n",
            {"columns": "x", "chart": "i-mr"},
            "few.csv: 3 points are too few for a control chart; give at least 5",
        ),
        (
            "ok.csv",
            b"x\n1\n2\n3\n4\n5\n6\n",
            {"columns": "y", "chart": "i-mr"},
            "ok.csv: there is no column “y”; the columns are x",
        ),
        (
            "ok.csv",
            b"x\n1\n2\n3\n4\n5\n6\n",
            {"columns": "x", "chart": "xbar-r"},
            "The X̄ charts need subgroups",
        ),
        (
            "ok.csv",
            b"x\n1\n2\n3\n4\n5\n6\n",
            {"columns": "x", "chart": "i-mr", "lsl": "5", "usl": "1"},
            "The lower specification limit must be below the upper one.",
        ),
        (
            "big.csv",
            b"x\n" + b"1\n" * 1_100_000,
            {"columns": "x"},
            "big.csv is larger than 2 MB, the most the workbench reads",
        ),
    ],
)
def test_bad_uploads_say_what_to_fix(
    client: TestClient, name: str, content: bytes, form: dict[str, str], message: str
) -> None:
    response = _post(client, None, name=name, content=content, **form)
    assert response.status_code == 422  # type: ignore[attr-defined]
    error = re.search(r'data-testid="spc-error">([^<]*)<', response.text)  # type: ignore[attr-defined]
    assert error, response.text  # type: ignore[attr-defined]
    import html as html_lib

    assert message in html_lib.unescape(error.group(1))


def test_errors_are_translated(client: TestClient) -> None:
    token = csrf_of(client.get("/spc").text)
    response = client.post(
        "/spc?lang=zh_Hans",
        data={"csrf_token": token, "columns": "x", "chart": "i-mr"},
        files={"file": ("坏.csv", b"x\n1\n2\nabc\n4\n5\n6\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "坏.csv：第 4 行 x 列的“abc”不是数字" in response.text


def test_csrf_is_required(client: TestClient) -> None:
    response = client.post("/spc", files={"file": ("a.csv", b"x\n1\n", "text/csv")})
    assert response.status_code == 403


def test_tampered_dataset_asks_for_a_new_upload(client: TestClient) -> None:
    token = csrf_of(client.get("/spc").text)
    response = client.post(
        "/spc", data={"csrf_token": token, "dataset": "{not json", "columns": "x"}
    )
    assert response.status_code == 422 and "请重新上传文件" in response.text
