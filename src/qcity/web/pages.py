"""Server-rendered pages (Jinja2), one environment per locale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from qcity.registry import service as registry_service
from qcity.registry.service import TownOverview, TownRow
from qcity.web import i18n
from qcity.web._cache import cached

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
        cache_size=-1,  # a plain dict: the bounded cache takes a lock on every include
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


@lru_cache(maxsize=65536)
def _localised_number(value: float, locale: str) -> str:
    """Babel takes tens of microseconds a number and a page repeats many: memoised."""
    return format_decimal(value, locale=i18n.babel_locale(locale))


@lru_cache(maxsize=65536)
def _localised_percent(value: float, digits: int, locale: str) -> str:
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return format_percent(value, format=pattern, locale=i18n.babel_locale(locale))


def _helpers(request: Request) -> dict[str, Any]:
    """What every template may call: names, numbers and dates in the page's locale, links."""
    locale: str = request.state.locale

    def name(obj: Named) -> str:
        return {"zh_Hans": obj.name_zh_hans, "zh_Hant": obj.name_zh_hant}.get(locale, obj.name_en)

    def num(value: float) -> str:
        return _localised_number(value, locale)

    def percent(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else _localised_percent(value, digits, locale)

    def lang_link(code: str) -> str:
        """This page in language ``code``, keeping its other query parameters (filters)."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        return "?" + urlencode([*kept, ("lang", code)])

    def date(value: dt.date | dt.datetime | None, form: str = "medium") -> str:
        return "—" if value is None else _localised_date(value, form, locale)

    def url_for(name: str, /, **params: Any) -> str:
        if name == "static":  # Starlette's url_for walks every route: static is fixed
            return f"{request.scope.get('root_path', '')}/static/{params['path']}"
        return str(request.url_for(name, **params))

    return {
        "request": request,
        "url_for": url_for,
        "locale": locale,
        "html_lang": i18n.HTML_LANG[locale],
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LOCALES],
        "name": name,
        "num": num,
        "percent": percent,
        "date": date,
        "lang_link": lang_link,
    }


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    locale: str = request.state.locale
    html = environment(locale).get_template(template).render(**_helpers(request), **context)
    return HTMLResponse(
        html,
        headers={"Content-Language": i18n.HTML_LANG[locale], "Vary": "Accept-Language, Cookie"},
    )


def fragment(
    request: Request,
    template: str,
    key: Hashable | None,
    context: Callable[[], dict[str, Any]],
) -> Markup:
    """``template`` rendered with ``context()``, remembered under ``key`` and the locale.

    For the parts of a page that many users see alike (a results table, a filter form):
    ``key`` must hold everything the fragment shows that ``context()`` reads (data version,
    filters, the user's scope), never the user's identity or CSRF token, which the page
    around it renders. ``key=None`` renders without remembering (errors, say). On a hit
    ``context()`` is not called, so its queries are skipped too.
    """

    def draw() -> Markup:
        chosen = environment(request.state.locale).get_template(template)
        return Markup(chosen.render(**_helpers(request), **context()))

    if key is None:
        return draw()
    return cached(("fragment", template, request.state.locale, key), draw)


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
