"""The SPC workbench in a browser: upload → chart with a highlighted violation → PNG and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

Login = Callable[[Page, str], None]
Screenshot = Callable[[Page, str], Path]
ORANGEJUICE = Path(__file__).parents[1] / "fixtures" / "web" / "orangejuice_trial.csv"


def test_upload_chart_violation_and_downloads(
    page: Page, login: Login, screenshot: Screenshot, tmp_path: Path
) -> None:
    login(page, "enterprise")
    page.goto("/spc")
    expect(page.locator("[data-testid=spc-sample]")).to_be_visible()
    screenshot(page, "spc-empty")

    page.set_input_files("input[name=file]", str(ORANGEJUICE))
    page.select_option("select[name=chart]", "p")
    page.click("#spc-form button[type=submit]")
    expect(page.locator("[data-testid=spc-file]")).to_contain_text("orangejuice_trial.csv")
    expect(page.locator("p.notice[role=status]")).to_be_visible()  # choose the columns next
    page.select_option("select[name=columns]", "D")
    page.select_option("select[name=size_column]", "size")
    page.click("#spc-form button[type=submit]")

    expect(page.locator("#spc-chart[data-ready='1']")).to_be_visible()
    expect(page.locator("[data-testid=spc-violations]")).to_be_visible()
    expect(page.locator("tr[data-violation='14']")).to_contain_text("WE1")  # sample 15 (qcc)
    expect(page.locator("tr[data-violation='22']")).to_contain_text("WE1")  # sample 23
    expect(page.locator("[data-stat=center]")).to_have_text("0.2313333")
    screenshot(page, "spc-p-chart")

    with page.expect_download() as png:
        page.click("#spc-png")
    png_path = tmp_path / "chart.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png_path.stat().st_size > 5000

    with page.expect_download() as table:
        page.click("#spc-csv")
    csv_path = tmp_path / "points.csv"
    table.value.save_as(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 30 and {int(r["point"]) for r in rows if r["rule"]} >= {15, 23}


def test_xbar_capability_and_bad_file(
    page: Page, login: Login, screenshot: Screenshot, tmp_path: Path
) -> None:
    login(page, "analyst")
    page.goto("/spc?lang=en")
    with page.expect_download() as sample:
        page.click("[data-testid=spc-sample]")
    sample_path = tmp_path / "spc-sample.csv"
    sample.value.save_as(sample_path)
    page.set_input_files("input[name=file]", str(sample_path))
    page.fill("input[name=columns]", "净含量_g")
    page.fill("input[name=subgroup_column]", "样本组")
    page.fill("input[name=lsl]", "496")
    page.fill("input[name=usl]", "504")
    page.click("#spc-form button[type=submit]")
    expect(page.locator("#spc-chart[data-ready='1']")).to_be_visible()
    expect(page.locator("#spc-secondary[data-ready='1']")).to_be_visible()
    expect(page.locator("#spc-histogram[data-ready='1']")).to_be_visible()
    expect(page.locator("[data-testid=spc-capability] tr[data-index=cpk]")).to_be_visible()
    screenshot(page, "spc-xbar-capability-en")

    bad = tmp_path / "bad.csv"
    bad.write_text("x\n1\n2\nabc\n4\n5\n", encoding="utf-8")
    page.goto("/spc")
    page.set_input_files("input[name=file]", str(bad))
    page.fill("input[name=columns]", "x")
    page.select_option("select[name=chart]", "i-mr")
    page.click("#spc-form button[type=submit]")
    expect(page.locator("[data-testid=spc-error]")).to_contain_text("bad.csv: column x, row 4")
    screenshot(page, "spc-error")
