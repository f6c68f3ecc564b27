"""Trace and recall in a browser: lookup → graph → start a recall → update a holder's progress;
an enterprise user is refused another enterprise's lot."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

Login = Callable[[Page, str], None]
Screenshot = Callable[[Page, str], Path]


def test_trace_graph_recall_and_progress(page: Page, login: Login, screenshot: Screenshot) -> None:
    login(page, "analyst")
    page.goto("/trace")
    screenshot(page, "trace-empty")
    page.click("a[data-example=product]")
    expect(page.locator("#trace-graph[data-ready='1']")).to_be_visible()
    expect(page.locator("[data-testid=trace-lots] tbody tr").first).to_be_visible()
    assert int(page.locator("#trace-graph").get_attribute("data-nodes") or 0) > 1
    screenshot(page, "trace-backward")

    page.check("input[name=direction][value=forward]")
    page.click("form.trace-form button[type=submit]")
    expect(page.locator("#trace-graph[data-ready='1']")).to_be_visible()
    with page.expect_download() as xlsx:
        page.click("[data-testid=trace-xlsx]")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    screenshot(page, "trace-forward")

    page.fill("[data-testid=recall-form] textarea[name=reason]", "浏览器测试：沙门氏菌不合格")
    page.click("[data-testid=recall-form] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/recalls/\d+$"))
    expect(page.locator("[data-testid=recall-reason]")).to_have_text("浏览器测试：沙门氏菌不合格")
    row = page.locator("[data-testid=recall-holders] tbody tr").first
    expect(row).to_have_attribute("data-state", "notified")
    row_id = row.get_attribute("id")
    row.locator("select[name=state]").select_option("removed")
    row.locator("input[name=quantity]").fill("12.5")
    row.locator("button[type=submit]").click()
    updated = page.locator(f"#{row_id}")
    expect(updated).to_have_attribute("data-state", "removed")  # swapped in place by HTMX
    expect(updated).to_contain_text("12.5")
    screenshot(page, "recall-case")
    page.goto("/recalls")
    expect(page.locator("[data-testid=recall-list] tbody tr").first).to_be_visible()
    screenshot(page, "recall-list")


def test_enterprise_is_refused_another_enterprise_lot(
    page: Page, login: Login, live_server: LiveServer, screenshot: Screenshot
) -> None:
    login(page, "analyst")
    page.goto("/trace")
    lot = page.locator("a[data-example=product]").get_attribute("title")
    assert lot
    page.click("nav.account button[type=submit]")  # log out
    login(page, "enterprise")
    page.goto(f"/trace?id={lot}&direction=backward")
    expect(page.locator("[data-testid=trace-scope]")).to_be_visible()
    if live_server.enterprise_uscc not in (page.locator("body").inner_text()):
        raise AssertionError("the scope note names the user's own credit code")
    # the demo's first processed lot is not the browser enterprise's: refused as not found
    expect(page.locator("[data-testid=trace-error]")).to_be_visible()
    expect(page.locator("#trace-graph")).to_have_count(0)
    screenshot(page, "trace-enterprise-refused")
