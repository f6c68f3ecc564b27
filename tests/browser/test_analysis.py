"""The indicator board, the towns drill-down and the inspections browser, used in Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from qcity.inspection.models import SamplingInspection
from qcity.registry.models import MarketEntity
from tests.browser.conftest import LiveServer

Login = Callable[[Page, str], None]
Screenshot = Callable[[Page, str], Path]


def test_board_shows_every_target_with_charts(
    page: Page, login: Login, screenshot: Screenshot
) -> None:
    login(page, "analyst")
    page.click("nav.sections a[data-nav=indicators]")
    expect(page.locator("h1")).to_have_text("指标看板")
    expect(page.locator("tr[data-indicator]")).to_have_count(29)
    food = page.locator("tr[data-indicator=food_sampling_pass_rate]")
    expect(food.locator(".spark canvas")).to_have_count(1)  # the ECharts sparkline
    expect(food.locator("[data-band]")).to_have_text(re.compile("达标|有风险|未达标"))
    expect(food.locator("[data-probability]")).to_contain_text("%")
    page.click("#p-meet summary")
    expect(page.locator("#p-meet ol li")).to_have_count(4)
    screenshot(page, "indicators-board")

    page.select_option("select[name=period]", "2024")
    page.click("form[data-form=board] button[type=submit]")
    expect(page).to_have_url(re.compile(r"period=2024"))
    expect(food.locator("td").first).to_have_text("2024")


def test_towns_drill_down_by_clicking(
    page: Page, login: Login, live_server: LiveServer, screenshot: Screenshot
) -> None:
    login(page, "analyst")
    page.click("nav.sections a[data-nav=towns]")
    expect(page.locator("div[data-chart=rates] canvas").first).to_be_visible()
    expect(page.locator("tr[data-town]")).to_have_count(35)
    screenshot(page, "towns")

    town = live_server.inspector_town
    page.click(f"tr[data-town='{town}'] a")
    expect(page).to_have_url(re.compile(rf"/towns/{town}\?period=\d{{4}}"))
    expect(page.locator("div[data-chart=rates] canvas").first).to_be_visible()
    first_category = page.locator("tr[data-category]").first
    samples = int(first_category.locator("[data-samples]").inner_text().replace(",", ""))
    screenshot(page, "towns-detail")

    first_category.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/towns/{town}/categories/"))
    rows = page.locator("tr[data-entity]")
    counted = sum(
        int(rows.nth(i).locator("[data-samples]").inner_text().replace(",", ""))
        for i in range(rows.count())
    )
    assert counted == samples  # the category's samples, split by sampled unit
    screenshot(page, "towns-category")

    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/inspections\?"))
    expect(page.locator("tr[data-inspection]").first).to_be_visible()


def test_inspector_sees_only_their_town(page: Page, login: Login, live_server: LiveServer) -> None:
    login(page, "inspector")
    page.goto("/towns")
    expect(page.locator("tr[data-town]")).to_have_count(1)
    expect(page.locator(f"tr[data-town='{live_server.inspector_town}']")).to_be_visible()


def test_inspections_filter_and_expand(page: Page, login: Login, screenshot: Screenshot) -> None:
    login(page, "analyst")
    page.click("nav.sections a[data-nav=inspections]")
    expect(page.locator("tr[data-inspection]")).to_have_count(50)
    page.wait_for_load_state("load")  # htmx has bound the form's change trigger
    page.wait_for_function("() => window.htmx !== undefined")
    page.select_option("select[name=verdict]", "fail")  # HTMX refreshes the results
    expect(page).to_have_url(re.compile(r"verdict=fail"))
    expect(page.locator("td[data-verdict=pass]")).to_have_count(0)
    expect(page.locator("td[data-verdict=fail]").first).to_be_visible()
    expect(page.locator("a[data-export=csv]")).to_have_attribute("href", re.compile("verdict=fail"))

    first = page.locator("tr[data-inspection]").first
    inspection_id = first.get_attribute("data-inspection")
    first.locator("a[data-expand]").click()
    items = page.locator(f"#items-row-{inspection_id}")
    expect(items).to_be_visible()
    expect(items.locator("table.items tr[data-item]").first).to_contain_text("不合格")
    expect(page).to_have_url(re.compile(r"/inspections\?"))  # stayed on the list
    screenshot(page, "inspections")

    first.locator("a[data-expand]").click()
    expect(items).to_be_hidden()

    page.click("nav.pages a[rel=next]")
    expect(page).to_have_url(re.compile(r"after="))
    expect(page.locator("td[data-verdict=fail]").first).to_be_visible()


def test_enterprise_user_is_refused_another_enterprises_inspection(
    page: Page, login: Login, live_server: LiveServer, screenshot: Screenshot
) -> None:
    with live_server.engine.connect() as connection:
        owner = select(MarketEntity.id).where(MarketEntity.uscc == live_server.enterprise_uscc)
        theirs = connection.execute(
            select(SamplingInspection.id)
            .where(SamplingInspection.sampled_entity_id == owner.scalar_subquery())
            .where(
                (SamplingInspection.manufacturer_uscc.is_(None))
                | (SamplingInspection.manufacturer_uscc != live_server.other_enterprise_uscc)
            )
            .limit(1)
        ).scalar_one()
    login(page, "enterprise_other")
    page.goto("/inspections")
    expect(page.locator(f"tr[data-inspection='{theirs}']")).to_have_count(0)
    response = page.goto(f"/inspections/{theirs}")
    assert response is not None and response.status == 404
    expect(page.locator("[data-empty=not-found]")).to_be_visible()
    screenshot(page, "inspections-refused")

    page.goto("/towns")
    expect(page.locator("[data-empty=enterprise]")).to_be_visible()

    login(page, "enterprise")
    response = page.goto(f"/inspections/{theirs}")
    assert response is not None and response.status == 200
    expect(page.locator("[data-personal=legal_representative]")).to_contain_text("*")
    screenshot(page, "inspection-detail")


def test_language_switch_on_analysis_pages(page: Page, login: Login) -> None:
    login(page, "analyst")
    for path, zh, en, hant in (
        ("/indicators", "指标看板", "Indicator board", "指標看板"),
        ("/towns", "各镇街合格率", "Pass rates by town", "各鎮街合格率"),
        ("/inspections", "抽检记录", "Inspections", "抽檢記錄"),
    ):
        page.goto(path + "?lang=zh_Hans")
        expect(page.locator("h1")).to_have_text(zh)
        page.click("nav.languages a[data-lang=en]")
        expect(page.locator("h1")).to_have_text(en)
        page.click("nav.languages a[data-lang=zh_Hant]")
        expect(page.locator("h1")).to_have_text(hant)
    page.goto("/indicators?lang=en")
    expect(page.locator("tr[data-indicator=food_sampling_pass_rate] th")).to_contain_text(
        "Food sampling inspection pass rate"
    )
    expect(page.locator("tr[data-indicator=food_sampling_pass_rate] .spark canvas")).to_have_count(
        1
    )
