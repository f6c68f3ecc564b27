"""The public portal in a browser, without logging in: pass rates, announced failed samples
filtered by town and paged, a recall notice with what to do; internal pages stay closed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from qcity.db import unit_of_work
from qcity.trace.models import RecallCase, RecallLot
from tests.browser.conftest import LiveServer

Screenshot = Callable[[Page, str], Path]


def test_portal_anonymous(page: Page, screenshot: Screenshot) -> None:
    page.goto("/public")
    expect(page.locator("table[data-table=pass-rates] tbody tr[data-domain=food]")).to_be_visible()
    expect(page.locator("[data-advice=failed]")).to_contain_text("12315")
    screenshot(page, "portal-home")

    page.click("nav.portal-nav a[href='/public/announcements']")
    rows = page.locator("table.announcements tbody tr")
    expect(rows.first).to_be_visible()
    total_all = int(page.locator("[data-total]").get_attribute("data-total") or 0)
    assert total_all > 0
    page.locator("select[name=town]").select_option(index=1)
    page.click("form.portal-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"town=\d{12}"))
    total_town = int(page.locator("[data-total]").get_attribute("data-total") or 0)
    assert 0 < total_town <= total_all
    first_page = rows.first.get_attribute("data-announcement")
    if page.locator("a[rel=next]").count():
        page.click("a[rel=next]")
        expect(rows.first).not_to_have_attribute("data-announcement", first_page or "")
    screenshot(page, "portal-announcements")

    page.goto("/inspections")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_recall_notice(page: Page, live_server: LiveServer, screenshot: Screenshot) -> None:
    with unit_of_work(live_server.engine) as session:
        case = RecallCase(
            root="urn:epc:class:lgtin:6901234.012345.BRW1", scope="forward",
            reason="浏览器测试：菌落总数超标", hazard="微生物污染", started_by="检查员王某",
            started_at=dt.datetime(2025, 11, 3, 9, tzinfo=dt.UTC), status="open",
            lots=1, holders=0, recalled_events=0,
        )  # fmt: skip
        session.add(case)
        session.flush()
        session.add(
            RecallLot(
                case_id=case.id, identifier="urn:epc:class:lgtin:6901234.012345.BRW1",
                product="浏览器测试酸奶", depth=0, quantity=12.0,
            )
        )  # fmt: skip
        case_id = case.id
    page.goto(f"/public/recalls/{case_id}")
    expect(page.locator("h1")).to_contain_text("浏览器测试酸奶")
    expect(page.locator("[data-field=reason]")).to_have_text("浏览器测试：菌落总数超标")
    expect(page.locator("ul.lot-codes")).to_contain_text("BRW1")
    expect(page.locator("[data-advice=recall]")).to_contain_text("零售商")
    assert "检查员王某" not in page.content()
    screenshot(page, "portal-recall")
    page.click("a[data-lang=en]")
    expect(page.locator("[data-advice=recall]")).to_contain_text("retailer")
