"""The CLI JSON contract, spreadsheets, the recall lifecycle and mass balance (both backends)."""

from __future__ import annotations

import csv
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from qcity.db import unit_of_work
from qcity.epcis.models import EpcisEvent
from qcity.settings import Settings
from qcity.trace._spreadsheet import KDE_COLUMNS, LOT_COLUMNS
from qcity.web.app import create_app
from tests.api_authz.helpers import authorise
from tests.trace.conftest import Chain, invoke, invoke_json

LOT_KEYS = {"id", "product", "quantity", "uom", "holder", "location", "town", "depth"}


def test_trace_json_contract(configured: None, chain: Chain) -> None:
    forward = invoke_json("trace", "forward", chain.farm_lot)
    assert set(forward) == {"root", "lots", "events"} and forward["root"] == chain.farm_lot
    assert all(set(lot) == LOT_KEYS for lot in forward["lots"])
    assert forward["lots"][0]["id"] == chain.farm_lot and forward["lots"][0]["depth"] == 0
    assert len(forward["events"]) == len(set(forward["events"])) > 5
    backward = invoke_json("trace", "backward", chain.product, "--at", "2025-10-01T19:00+08:00")
    assert {lot["id"] for lot in backward["lots"]} == {chain.product, chain.farm_lot,
                                                       chain.farm_lot2}  # fmt: skip
    missing = invoke("trace", "forward", "urn:epc:id:sgtin:6900000.0000.1")
    assert missing.exit_code == 1 and len(missing.stderr.splitlines()) == 1
    assert missing.stderr.startswith("error: no traceability events name")


def test_recall_scope_spreadsheets(configured: None, chain: Chain, tmp_path: Path) -> None:
    xlsx, csv_path = tmp_path / "scope.xlsx", tmp_path / "scope.csv"
    assert invoke("recall", "scope", chain.farm_lot, "--out", str(xlsx)).exit_code == 0
    book = load_workbook(xlsx)
    kde, lots = book["KDE"], book["lots"]
    assert [c.value for c in kde[1]] == list(KDE_COLUMNS)
    assert [c.value for c in lots[1]] == list(LOT_COLUMNS)
    assert kde.freeze_panes == "A2" and kde.auto_filter.ref.startswith("A1:")
    rows = [dict(zip(KDE_COLUMNS, (c.value for c in r), strict=True)) for r in kde.iter_rows(2)]
    shipping = [r for r in rows if r["critical_tracking_event"] == "shipping"]
    assert shipping and all(r["reference_document_type"] == "po; desadv" for r in shipping)
    assert all(r["immediate_subsequent_recipient"] for r in shipping)
    receiving = [r for r in rows if r["critical_tracking_event"] == "receiving"]
    assert all(r["immediate_previous_source"] for r in receiving)
    assert {r["product_description"] for r in rows} >= {"菜心", "速冻水饺"}
    assert invoke("recall", "scope", chain.farm_lot, "--out", str(csv_path)).exit_code == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with csv_path.open(encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == KDE_COLUMNS and len(table) == len(rows) + 1
    bad = invoke("recall", "scope", chain.farm_lot, "--out", str(tmp_path / "x.pdf"))
    assert bad.exit_code == 2 and "write a .xlsx or .csv file" in bad.stderr


def test_recall_case_lifecycle(configured: None, chain: Chain, engine: Engine) -> None:
    with unit_of_work(engine) as session:
        events_before = session.scalar(select(func.count()).select_from(EpcisEvent))
    case = invoke_json("recall", "start", chain.product, "--reason", "沙门氏菌不合格",
                       "--hazard", "microbial", "--by", "王科长")  # fmt: skip
    assert case["status"] == "open" and case["recalled_events"] == case["holders"] == 2
    assert {h["holder"]: h["quantity"] for h in case["holder_list"]} == {
        chain.parties["shop"].uscc: 35,
        chain.parties["dist"].uscc: 85,
    }
    with unit_of_work(engine) as session:
        recalled = session.scalars(
            select(EpcisEvent.disposition).where(EpcisEvent.id > 0).order_by(EpcisEvent.id.desc())
        ).all()[:2]
        total = session.scalar(select(func.count()).select_from(EpcisEvent))
    assert recalled == ["recalled"] * 2 and total == (events_before or 0) + 2
    shop = chain.parties["shop"].uscc
    case_id = str(case["id"])
    ack = invoke_json(
        "recall", "progress", case_id, shop, "--state", "acknowledged", "--by", "店长"
    )
    assert ack["state"] == "acknowledged" and ack["acknowledged_at"]
    removed = invoke_json("recall", "progress", case_id, shop, "--state", "removed",
                          "--quantity", "35", "--by", "店长")  # fmt: skip
    assert removed["quantity_removed"] == 35 and removed["removed_at"]
    back = invoke("recall", "progress", case_id, shop, "--state", "acknowledged", "--by", "x")
    assert back.exit_code == 2 and "never moves back" in back.stderr
    missing_qty = invoke("recall", "progress", case_id, shop, "--state", "destroyed", "--by", "x")
    assert missing_qty.exit_code == 2 and "--quantity" in missing_qty.stderr
    status = invoke_json("recall", "status", case_id)
    assert status["holder_states"]["removed"] == 1 and status["status"] == "open"
    for h in status["holder_list"]:
        if h["state"] != "removed":
            invoke_json("recall", "progress", case_id, str(h["id"]), "--state", "destroyed",
                        "--quantity", str(h["quantity"]), "--by", "监管员")  # fmt: skip
    assert invoke_json("recall", "status", case_id)["status"] == "closed"


def test_api_trace_recall_and_progress(db_url: str, engine: Engine, chain: Chain,
                                       tmp_path: Path) -> None:  # fmt: skip
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    app = create_app(settings, engine)
    client = authorise(TestClient(app), engine)
    forward = client.get(f"/api/trace/forward/{chain.farm_lot}")
    assert forward.status_code == 200 and forward.json()["root"] == chain.farm_lot
    assert client.get(f"/api/trace/backward/{chain.product}").json()["lots"][0]["depth"] == 0
    assert client.get("/api/trace/forward/urn:epc:id:sscc:6900000.0000000001").status_code == 404
    started = client.post("/api/recalls", json={"root": chain.product, "reason": "不合格",
                                                "started_by": "王科长"})  # fmt: skip
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    assert [c["id"] for c in client.get("/api/recalls").json()] == [case_id]
    shop = chain.parties["shop"].uscc
    reported = client.post(
        f"/api/recalls/{case_id}/holders/{shop}/progress",
        json={"state": "removed", "quantity": 35, "reported_by": "店长"},
    )
    assert reported.status_code == 200 and reported.json()["state"] == "removed"
    detail = client.get(f"/api/recalls/{case_id}").json()
    assert detail["holder_states"]["removed"] == 1 and detail["scope_lots"]
    assert client.get("/api/recalls/999").status_code == 404
    balance = client.get("/api/trace/mass-balance").json()
    assert balance["flagged"] == 1


def test_mass_balance_flags_the_short_count(configured: None, chain: Chain) -> None:
    out = invoke_json("trace", "mass-balance")
    flagged = out["items"]
    assert out["flagged"] == 1 and len(flagged) == 1
    row = flagged[0]
    assert row["lot"] == chain.product and row["holder"] == chain.parties["shop"].uscc
    assert (row["received"], row["shipped"], row["on_hand"], row["discrepancy"]) == (40, 5, 30, 5)
    assert invoke_json("trace", "mass-balance", "--tolerance", "0.2")["flagged"] == 0
    assert invoke_json("trace", "mass-balance", "--absolute", "6")["flagged"] == 0
