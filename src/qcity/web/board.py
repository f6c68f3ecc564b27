"""The indicator board: every plan target with its value, target, status band and trend.

``/indicators?period=&town=`` shows each indicator evaluated by
:func:`qcity.indicators._board.board` (pass rates counted on the analytics mart when it is
built). Results are cached per (data version, period, town, day) for a few minutes: a new
import, mart rebuild or reported value changes the version and so the result.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qcity.accounts._authz import Principal, current_user, visible_towns
from qcity.accounts.api import login_redirect, render_page
from qcity.analytics._towns import RateReader
from qcity.analytics.mart import MART_FILE
from qcity.analytics.periods import Period
from qcity.audit.models import AuditLog
from qcity.errors import QcityError
from qcity.indicators._board import board
from qcity.indicators.schemas import IndicatorOut
from qcity.inspection.models import SamplingInspection
from qcity.registry import repository as registry_repository
from qcity.registry.models import OrgUnit
from qcity.web import i18n
from qcity.web._cache import cached
from qcity.web.pages import fragment

router = APIRouter(include_in_schema=False)
STATUSES = ("met", "at_risk", "missed")


def rate_reader(request: Request) -> RateReader:
    """Pass rates for this app: its mart (``$QCITY_DATA_DIR/analytics.duckdb``) or records."""
    return RateReader(request.app.state.engine, request.app.state.settings.data_dir / MART_FILE)


def data_version(session: Session, reader: RateReader) -> tuple[Any, ...]:
    """What the figures depend on: the database, the mart file, the newest rows.

    Every write appends an audit row (docs/ARCHITECTURE.md rule 9), so the newest audit id
    changes with any change to records, indicators or reference data; the newest inspection
    also tells whether there are any.
    """
    newest_inspection = session.scalar(select(func.max(SamplingInspection.id)))
    newest_write = session.scalar(select(func.max(AuditLog.id)))
    source = reader.source
    return (str(reader.engine.url), source.kind, source.version, newest_inspection, newest_write)


def town_choices(session: Session, user: Principal) -> list[OrgUnit]:
    """The towns ``user`` may filter by (every town for city-wide roles)."""
    allowed = visible_towns(user)
    engine_key = str(session.get_bind().engine.url)  # the town list changes rarely: a minute
    towns = cached(("towns", engine_key), lambda: list(registry_repository.towns(session)), 60.0)
    return [t for t in towns if allowed is None or t.code in allowed]


def period_choices(latest: dt.date | None, years: int = 3) -> list[str]:
    """Recent years and their quarters, newest first (for the period menus)."""
    if latest is None:
        return []
    out: list[str] = []
    for year in range(latest.year, latest.year - years, -1):
        out.append(str(year))
        last_quarter = (latest.month - 1) // 3 + 1 if year == latest.year else 4
        out += [f"{year}-Q{q}" for q in range(last_quarter, 0, -1)]
    return out


def indicator_name(item: IndicatorOut, locale: str) -> str:
    """The indicator's name in ``locale`` (zh-Hant from the catalogue, else simplified)."""
    if locale == "zh_Hans":
        return item.name_zh_hans
    if locale == "en":
        return item.name_en
    translated = i18n.translations(locale).gettext(item.name_en)
    return translated if translated != item.name_en else item.name_zh_hans


@lru_cache(maxsize=4096)
def format_value(value: float | None, unit: str, locale: str) -> str:
    """A value in its unit: percentages with two decimals, counts whole, with grouping."""
    if value is None:
        return "—"
    babel_locale = i18n.babel_locale(locale)
    pattern = "#,##0.00" if unit in ("%", "index", "per 10k") else "#,##0.##"
    return format_decimal(value, format=pattern, locale=babel_locale)


def _not_found(request: Request, message: str) -> Response:
    return render_page(request, "_analysis_error.html", 404, message=message)


def _evaluate(
    request: Request, period: str | None, town: str | None
) -> tuple[list[IndicatorOut], dict[str, Any]]:
    reader = rate_reader(request)
    today = dt.date.today()
    with Session(request.app.state.engine) as session:
        version = data_version(session, reader)
        items = cached(
            ("board", version, period, town, today),
            lambda: board(session, reader, period, town, today),
        )
        inspections = version[3] is not None
        latest = cached(("latest", version), reader.latest_date)
        context = {
            "towns": town_choices(session, current_user(request)),
            "periods": period_choices(latest),
            "has_inspections": inspections,
            "source": reader.source,
            "counts": {s: sum(1 for i in items if i.status == s) for s in STATUSES},
            "version": version,
            "today": today,
        }
    return items, context


@router.get("/indicators", response_class=HTMLResponse)
def indicator_board(
    request: Request,
    period: str | None = Query(None, max_length=16),
    town: str | None = Query(None, max_length=12),
) -> Response:
    """Every plan indicator: value, target, status band, trend and P(meeting the target)."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    period, town = (period or None), (town or None)
    allowed = visible_towns(user)
    if town is not None and allowed is not None and town not in allowed:
        return _not_found(request, "town")
    error = None
    try:
        if period:
            Period.parse(period)
        items, context = _evaluate(request, period, town)
    except QcityError as exc:
        error = str(exc)
        items, context = [], {"towns": [], "periods": [], "has_inspections": True, "source": None}
        context |= {"counts": dict.fromkeys(STATUSES, 0), "version": None, "today": None}

    def table() -> dict[str, Any]:
        return {"rows": _rows(items, request.state.locale), "error": error, **context}

    # The table is the same for everyone asking for this period and town: rendered once per
    # data version (a refused filter is not remembered).
    key = None if error else (context["version"], period, town, context["today"])
    return render_page(
        request,
        "board.html",
        422 if error else 200,
        table_html=fragment(request, "_board_table.html", key, table),
        filters={"period": period or "", "town": town or ""},
        error=error,
        **context,
    )


def _rows(items: list[IndicatorOut], locale: str) -> list[dict[str, Any]]:
    return [
        {
            "item": item,
            "name": indicator_name(item, locale),
            "value": format_value(item.value, item.unit, locale),
            "target": format_value(item.target, item.unit, locale),
            "trend": [[p.period, round(p.value, 4)] for p in item.trend.points],
        }
        for item in items
    ]
