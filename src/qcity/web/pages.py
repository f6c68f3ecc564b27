"""Server-rendered pages (Jinja2), one environment per locale."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from qcity.registry import service as registry_service
from qcity.registry.service import TownOverview, TownRow
from qcity.web import i18n

TEMPLATE_DIR = Path(__file__).parent / "templates"
SECTION_COLUMNS = 6

router = APIRouter(include_in_schema=False)


class Named(Protocol):
    name_zh_hans: str
    name_zh_hant: str
    name_en: str


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the code: no stat() per render
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


@lru_cache(maxsize=65536)
def _localised_date(value: dt.date | dt.datetime, form: str, locale: str) -> str:
    """Babel's formatting is slow and a page repeats few distinct dates: memoised."""
    babel_locale = i18n.babel_locale(locale)
    if isinstance(value, dt.datetime):
        return format_datetime(value, format=form, locale=babel_locale)
    return format_date(value, format=form, locale=babel_locale)


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    locale: str = request.state.locale
    babel_locale = i18n.babel_locale(locale)

    def name(obj: Named) -> str:
        return {"zh_Hans": obj.name_zh_hans, "zh_Hant": obj.name_zh_hant}.get(locale, obj.name_en)

    def num(value: float) -> str:
        return format_decimal(value, locale=babel_locale)

    def percent(value: float | None, digits: int = 1) -> str:
        if value is None:
            return "—"
        pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
        return format_percent(value, format=pattern, locale=babel_locale)

    def lang_link(code: str) -> str:
        """This page in language ``code``, keeping its other query parameters (filters)."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        return "?" + urlencode([*kept, ("lang", code)])

    def date(value: dt.date | dt.datetime | None, form: str = "medium") -> str:
        return "—" if value is None else _localised_date(value, form, locale)

    html = (
        environment(locale)
        .get_template(template)
        .render(
            request=request,
            url_for=request.url_for,
            locale=locale,
            html_lang=i18n.HTML_LANG[locale],
            languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LOCALES],
            name=name,
            num=num,
            percent=percent,
            date=date,
            lang_link=lang_link,
            **context,
        )
    )
    return HTMLResponse(
        html,
        headers={"Content-Language": i18n.HTML_LANG[locale], "Vary": "Accept-Language, Cookie"},
    )


def _overview(request: Request) -> TownOverview:
    with Session(request.app.state.engine) as session:
        return registry_service.town_overview(session)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """The towns with their market-entity counts by industry."""
    overview = await run_in_threadpool(_overview, request)
    sections = overview.sections_present[:SECTION_COLUMNS]

    def other(row: TownRow) -> int:
        return row.total - sum(row.by_section.get(code, 0) for code in sections)

    city_name = ""
    if overview.city is not None:
        city_name = {
            "zh_Hans": overview.city.name_zh_hans,
            "zh_Hant": overview.city.name_zh_hant,
        }.get(request.state.locale, overview.city.name_en)
    return render(
        request,
        "home.html",
        overview=overview,
        sections=sections,
        other_sections=len(overview.sections_present) > SECTION_COLUMNS,
        other=other,
        city_name=city_name,
    )
