"""``/api/spc``: JSON bodies, file uploads, 422 with the library's message, OpenAPI."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from tests.quality.conftest import CHARTS, MSA, load_json

PUBLISHED = load_json(CHARTS / "qcc_vignette_published.json")["cases"]


def _pistonrings_trial() -> list[float]:
    with (CHARTS / "pistonrings.csv").open(encoding="utf-8") as fh:
        return [float(r["diameter"]) for r in csv.DictReader(fh) if r["trial"] == "TRUE"]


def test_chart_from_json_values(spc_client: TestClient) -> None:
    body = {"type": "xbar-r", "values": _pistonrings_trial(), "subgroup_size": 5}
    response = spc_client.post("/api/spc/chart", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    xbar = PUBLISHED["xbar pistonrings diameter[1:25,] (25 groups of 5; sigma=UWAVE-R=mean(R/d2))"]
    assert out["center"] == pytest.approx(xbar["center"], abs=5e-6)
    assert out["lcl"] == pytest.approx(xbar["LCL"], abs=5e-6)
    assert out["ucl"] == pytest.approx(xbar["UCL"], abs=5e-6)
    assert out["secondary"]["type"] == "r"


def test_chart_from_an_uploaded_file(spc_client: TestClient) -> None:
    with (CHARTS / "orangejuice.csv").open("rb") as fh:
        response = spc_client.post(
            "/api/spc/chart/upload",
            files={"file": ("orangejuice.csv", fh, "text/csv")},
            data={"type": "p", "column": "D", "size_column": "size"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "p"


def test_capability_json_and_upload_agree(spc_client: TestClient) -> None:
    values = _pistonrings_trial()
    body = {"values": values, "lsl": 73.95, "usl": 74.05, "subgroup_size": 5}
    out = spc_client.post("/api/spc/capability", json=body).json()
    assert (round(out["cp"], 2), round(out["cpk"], 2), round(out["cpm"], 2)) == (1.70, 1.66, 1.69)
    text = "d\n" + "\n".join(map(str, values)) + "\n"
    uploaded = spc_client.post(
        "/api/spc/capability/upload",
        files={"file": ("d.csv", text.encode(), "text/csv")},
        data={"column": "d", "lsl": "73.95", "usl": "74.05", "subgroup_size": "5"},
    ).json()
    assert uploaded["cpk"] == pytest.approx(out["cpk"])


def test_gage_rr_and_sampling_plan(spc_client: TestClient) -> None:
    with (MSA / "spcforexcel_5parts_3ops_3trials.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    body = {
        "parts": [r["part"] for r in rows],
        "operators": [r["operator"] for r in rows],
        "values": [float(r["value"]) for r in rows],
    }
    out = spc_client.post("/api/spc/gage-rr", json=body).json()
    assert out["pct_contribution_gage_rr"] == pytest.approx(10.94, abs=0.01)  # SPC for Excel
    assert out["ndc"] == 4
    plan = spc_client.post("/api/spc/sampling-plan", json={"lot_size": 1000, "aql": 1.0}).json()
    assert (plan["code_letter"], plan["sample_size"], plan["accept"], plan["reject"]) == (
        "J", 80, 2, 3,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/spc/chart", {"type": "xbar-r", "values": [1, 2, 3, 4], "subgroup_size": 1},
         "subgroups of at least 2"),
        ("/api/spc/capability", {"values": [1, 2, 3, 4], "lsl": 5, "usl": 1},
         "lower spec limit 5.0 must be below upper spec limit 1.0"),
        ("/api/spc/sampling-plan", {"lot_size": 1000, "aql": 3}, "AQL 3.0 is not in the table"),
        ("/api/spc/gage-rr", {"parts": ["a", "b"], "operators": ["x", "y"], "values": [1, 2]},
         "the design is not crossed"),
    ],
)  # fmt: skip
def test_library_errors_are_422_with_the_message(
    spc_client: TestClient, path: str, body: dict[str, object], message: str
) -> None:
    response = spc_client.post(path, json=body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_upload_errors_name_the_column(spc_client: TestClient) -> None:
    response = spc_client.post(
        "/api/spc/chart/upload",
        files={"file": ("x.csv", b"a\n1\nx\n", "text/csv")},
        data={"type": "i-mr", "column": "a"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "x.csv: column 'a', row 3: 'x' is not a number"


def test_openapi_lists_the_operations(spc_client: TestClient) -> None:
    paths = spc_client.get("/openapi.json").json()["paths"]
    for path in ("chart", "chart/upload", "capability", "capability/upload", "gage-rr",
                 "sampling-plan"):  # fmt: skip
        assert f"/api/spc/{path}" in paths
    assert "/api/haccp/verifications" in paths
