"""The platform as a person uses it: logging in, switching language, the admin's audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

Login = Callable[[Page, str], None]
Screenshot = Callable[[Page, str], Path]


def test_wrong_password_is_refused_and_right_one_logs_in(
    page: Page, live_server: LiveServer, screenshot: Screenshot
) -> None:
    username, password = live_server.users["analyst"]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password + "x")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    screenshot(page, "login-wrong-password")

    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator(f"a[data-user='{username}']")).to_be_visible()
    expect(page.locator("nav.sections a[data-nav=indicators]")).to_be_visible()
    screenshot(page, "home-analyst")


def test_internal_page_sends_anonymous_visitor_to_login(page: Page) -> None:
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account$"))
    expect(page.locator("nav.sections a[data-nav=indicators]")).to_have_count(0)
    expect(page.locator("nav.sections a[data-nav=public]")).to_be_visible()


def test_language_switch_is_remembered_across_pages(
    page: Page, login: Login, screenshot: Screenshot
) -> None:
    login(page, "analyst")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("nav.sections a[data-nav=towns]")).to_have_text("镇街")

    page.click("nav.languages a[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.sections a[data-nav=towns]")).to_have_text("Towns")
    screenshot(page, "home-en")

    page.goto("/account")  # no ?lang= here: the cookie carries the choice
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("nav.languages a[data-lang=zh_Hant]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator("nav.sections a[data-nav=towns]")).to_have_text("鎮街")
    screenshot(page, "account-zh-hant")


def test_admin_browses_the_audit_log_with_the_login_recorded(
    page: Page, login: Login, live_server: LiveServer, screenshot: Screenshot
) -> None:
    login(page, "admin")
    page.click("a[href='/admin/audit']")
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(page.locator("main table")).to_be_visible()
    username = live_server.users["admin"][0]
    expect(page.locator("main")).to_contain_text(username)
    screenshot(page, "audit-log")


def test_analyst_cannot_open_the_audit_log(page: Page, login: Login) -> None:
    login(page, "analyst")
    expect(page.locator("a[href='/admin/audit']")).to_have_count(0)
    response = page.goto("/admin/audit")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("alert")).to_be_visible()


def test_logout_ends_the_session(page: Page, login: Login) -> None:
    login(page, "inspector")
    page.click("nav.account form button[type=submit]")
    expect(page.locator("nav.account a[href='/login']")).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account$"))


SECTIONS = ("indicators", "towns", "inspections", "spc", "trace", "public")


def test_every_section_opens_from_the_navigation_in_three_languages(
    page: Page, login: Login, screenshot: Screenshot
) -> None:
    login(page, "admin")
    for lang in ("zh_Hans", "zh_Hant", "en"):
        page.goto(f"/?lang={lang}")
        for section in SECTIONS:
            with page.expect_navigation():
                page.click(f"nav.sections a[data-nav={section}]")
            assert page.locator("main h1").count() >= 1, f"{section} has no heading ({lang})"
            expect(page.locator("html")).to_have_attribute("lang", lang.replace("_", "-"))
            screenshot(page, f"section-{section}-{lang}")


def test_anonymous_visitor_sees_only_the_public_portal(page: Page) -> None:
    page.goto("/public")
    expect(page.locator("main h1")).to_be_visible()
    for section in SECTIONS[:-1]:
        page.goto(f"/{section}")
        expect(page).to_have_url(re.compile(r"/login\?next="))
