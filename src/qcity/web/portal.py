"""The public portal (no login): published inspection results and recalls only.

``/public`` (headline pass rates, the latest announcements and recalls), ``/public/announcements``
(announced failed samples, filterable by period, category and town, keyset-paginated),
``/public/recalls`` and ``/public/recalls/{id}`` (recall notices). What may be shown is decided
in :mod:`qcity.web._portal_data`; pages are cached briefly and answer conditional GETs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from qcity.accounts.api import render_page
from qcity.analytics.periods import Period
from qcity.errors import InputError
from qcity.web import _portal_data as data
from qcity.web import i18n
from qcity.web._portal_cache import cache_of, conditional

router = APIRouter(include_in_schema=False)
LATEST = 5


def _today(request: Request) -> dt.date:
    clock = getattr(request.app.state, "clock", None)
    return clock().date() if clock is not None else dt.date.today()


def _cached(request: Request, key: tuple[Any, ...], compute: Any) -> Any:
    """``compute(session)`` for ``key``, from the portal cache when fresh."""

    def run() -> Any:
        with Session(request.app.state.engine) as session:
            return compute(session)

    return cache_of(request).get(key, run)


@dataclass(frozen=True)
class Lookups:
    towns: dict[str, Any]
    categories: dict[str, Any]


def _lookups(request: Request) -> Lookups:
    def load(session: Session) -> Lookups:
        return Lookups(
            {t.code: t for t in data.towns(session)},
            {c.code: c for c in data.categories(session)},
        )

    result: Lookups = _cached(request, ("lookups",), load)
    return result


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    response = render_page(request, template, status_code=status_code, **context)
    return conditional(request, response)


@router.get("/public", response_class=HTMLResponse)
def portal_home(request: Request) -> Response:
    """Headline pass rates, the latest announced failed samples and the latest recalls."""
    today = _today(request)
    latest = _cached(request, ("latest", today), lambda s: data.latest_announced_sampling(s, today))
    year = latest.year if latest else None
    headlines = (
        _cached(request, ("headlines", year, today), lambda s: data.headlines(s, year, today))
        if year
        else ()
    )
    newest, _ = _cached(
        request, ("announcements", data.Filters(), None, today),
        lambda s: data.announcements(s, data.Filters(), None, today),
    )  # fmt: skip
    notices, _ = _cached(request, ("recalls", None), lambda s: data.recall_notices(s, None))
    return _page(
        request,
        "portal.html",
        year=year,
        headlines=headlines,
        announcements=newest[:LATEST],
        notices=notices[:LATEST],
        lookups=_lookups(request),
        nav="home",
    )


def _filters(
    request: Request, period: str, category: str, town: str, lookups: Lookups
) -> tuple[data.Filters, list[str]]:
    """The filters the citizen chose, and a message for each value that cannot be used."""
    _ = i18n.translations(request.state.locale).gettext
    errors: list[str] = []
    chosen_period = None
    if period.strip():
        try:
            chosen_period = Period.parse(period)
        except InputError:
            errors.append(
                _(
                    "Period “%(value)s” is not a year, quarter or month: "
                    "use e.g. 2025, 2025-Q3 or 2025-07."
                )
                % {"value": period.strip()}
            )
    if category and category not in lookups.categories:
        errors.append(
            _("Unknown category “%(value)s”: choose one from the list.") % {"value": category}
        )
        category = ""
    if town and town not in lookups.towns:
        errors.append(_("Unknown town “%(value)s”: choose one from the list.") % {"value": town})
        town = ""
    return data.Filters(chosen_period, category or None, town or None), errors


@router.get("/public/announcements", response_class=HTMLResponse)
def portal_announcements(
    request: Request, period: str = "", category: str = "", town: str = "", after: str = ""
) -> Response:
    """Announced failed samples, newest first, filtered by period, category and town."""
    today = _today(request)
    lookups = _lookups(request)
    filters, errors = _filters(request, period[:16], category[:16], town[:16], lookups)
    cursor = data.Cursor.parse(after[:40])
    rows, next_cursor = _cached(
        request, ("announcements", filters, cursor, today),
        lambda s: data.announcements(s, filters, cursor, today),
    )  # fmt: skip
    total = _cached(
        request, ("total", filters, today), lambda s: data.announcement_total(s, filters, today)
    )
    return _page(
        request,
        "portal_announcements.html",
        status_code=400 if errors else 200,
        errors=errors,
        rows=rows,
        total=total,
        next_cursor=next_cursor,
        first_page=cursor is None,
        period=period.strip()[:16],
        category=filters.category or "",
        town=filters.town or "",
        lookups=lookups,
        nav="announcements",
    )


def _number(text: str) -> int | None:
    """A database id from a URL (digits, at most 12), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


@router.get("/public/recalls", response_class=HTMLResponse)
def portal_recalls(request: Request, before: str = "") -> Response:
    """Recall notices, newest first."""
    start = _number(before)
    notices, next_before = _cached(
        request, ("recalls", start), lambda s: data.recall_notices(s, start)
    )
    open_count, closed_count = _cached(request, ("recall_count",), data.recall_count)
    return _page(
        request,
        "portal_recalls.html",
        notices=notices,
        next_before=next_before,
        first_page=start is None,
        open_count=open_count,
        closed_count=closed_count,
        lookups=_lookups(request),
        nav="recalls",
    )


@router.get("/public/recalls/{case_id}", response_class=HTMLResponse)
def portal_recall(request: Request, case_id: str) -> Response:
    """One recall notice: product, reason, lots, towns, progress, dates."""
    number = _number(case_id)
    notice = (
        _cached(request, ("recall", number), lambda s: data.recall_notice(s, number))
        if number is not None
        else None
    )
    return _page(
        request,
        "portal_recall.html",
        status_code=200 if notice else 404,
        notice=notice,
        case_id=case_id[:20],
        lookups=_lookups(request),
        nav="recalls",
    )
