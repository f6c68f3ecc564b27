"""Towns: pass rates and volumes by town, drill-down to categories and to entities.

``/towns`` (every town the user may see), ``/towns/{code}`` (its categories) and
``/towns/{code}/categories/{category}`` (the sampled units, linking into the inspections
browser). Scope: analysts and admins see every town, inspectors their own towns (any other is
not found), enterprise users no town pages (town figures are about other businesses); their
own results are in ``/inspections``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from qcity.accounts._authz import Principal, current_user, visible_towns
from qcity.accounts.api import login_redirect, render_page
from qcity.accounts.models import Role
from qcity.analytics._towns import RateReader, entity_rates
from qcity.analytics.periods import Period
from qcity.analytics.queries import DOMAINS, PassRateQuery, RecordFilter
from qcity.analytics.service import PassRateRow
from qcity.errors import QcityError
from qcity.inspection import repository as inspection_repository
from qcity.inspection.models import InspectionCategory
from qcity.registry import repository as registry_repository
from qcity.registry.models import OrgUnit
from qcity.web import i18n
from qcity.web._cache import cached
from qcity.web.board import data_version, period_choices, rate_reader

router = APIRouter(include_in_schema=False)
CHART_CATEGORIES = 30  # the chart shows the lowest pass rates; the table lists every category


def _period(text: str | None, latest: dt.date | None) -> Period:
    if text:
        return Period.parse(text)
    return Period("year", (latest or dt.date.today()).year)


def _domain(text: str | None) -> str | None:
    if text and text not in DOMAINS:
        from qcity.errors import InputError

        raise InputError(f"domain {text!r} is not one of {', '.join(DOMAINS)}")
    return text or None


def _rates(
    request: Request, session: Session, reader: RateReader, query: PassRateQuery
) -> list[PassRateRow]:
    version = data_version(session, reader)
    return cached(("rates", version, query), lambda: reader.pass_rates(query, session))


def _chart(rows: list[dict[str, Any]], request: Request) -> dict[str, Any]:
    """The data of a rates chart (analysis.js ``rates``): rates and intervals in %."""
    _ = i18n.translations(request.state.locale).gettext
    return {
        "names": [r["label"] for r in rows],
        "samples": [r["row"].samples for r in rows],
        "rate": [round(100 * r["row"].pass_rate, 2) for r in rows],
        "low": [round(100 * r["row"].ci_low, 2) for r in rows],
        "high": [round(100 * r["row"].ci_high, 2) for r in rows],
        "links": [r["link"] for r in rows],
        "labels": {
            "samples": _("Samples"),
            "rate": _("Pass rate"),
            "interval": _("95% interval"),
        },
    }


def _visible(user: Principal, code: str) -> bool:
    allowed = visible_towns(user)
    return allowed is None or code in allowed


def _context(request: Request, session: Session, reader: RateReader) -> dict[str, Any]:
    version = data_version(session, reader)
    latest = cached(("latest", version), reader.latest_date)
    return {"latest": latest, "periods": period_choices(latest), "source": reader.source}


def _qs(**params: str | None) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _named(obj: OrgUnit | InspectionCategory | None, code: str, locale: str) -> str:
    if obj is None:
        return code
    return {"zh_Hans": obj.name_zh_hans, "zh_Hant": obj.name_zh_hant}.get(locale, obj.name_en)


def _forbidden_for_enterprise(request: Request, user: Principal) -> Response | None:
    if not user.is_authenticated:
        return login_redirect(request)
    if user.role == Role.ENTERPRISE:
        return render_page(request, "towns.html", enterprise=True, rows=[], filters={})
    return None


@router.get("/towns", response_class=HTMLResponse)
def towns_page(
    request: Request,
    period: str | None = Query(None, max_length=16),
    domain: str | None = Query(None, max_length=16),
) -> Response:
    """Pass rates and volumes by town, with Wilson intervals and the change."""
    user = current_user(request)
    refused = _forbidden_for_enterprise(request, user)
    if refused is not None:
        return refused
    reader = rate_reader(request)
    allowed = visible_towns(user)
    locale: str = request.state.locale
    chosen: Period | None = None
    found: list[PassRateRow] = []
    error = None
    with Session(request.app.state.engine) as session:
        context = _context(request, session, reader)
        towns = {t.code: t for t in registry_repository.towns(session)}
        try:
            chosen = _period(period, context["latest"])
            chosen_domain = _domain(domain)
            query = PassRateQuery(
                by=("town",),
                period=chosen,
                filters=RecordFilter(
                    domains=(chosen_domain,) if chosen_domain else (),
                    towns=tuple(sorted(allowed)) if allowed is not None else (),
                ),
            )
            if allowed is None or allowed:
                found = _rates(request, session, reader, query)
        except QcityError as exc:
            error = str(exc)
    rows: list[dict[str, Any]] = []
    for r in found:
        code = r.keys["town"] or ""
        label = chosen.label if chosen else None
        rows.append(
            {
                "code": code,
                "town": towns.get(code),
                "label": _named(towns.get(code), code, locale),
                "row": r,
                "link": f"/towns/{code}?" + _qs(period=label, domain=domain),
            }
        )
    return render_page(
        request,
        "towns.html",
        422 if error else 200,
        enterprise=False,
        rows=rows,
        error=error,
        period=chosen,
        filters={"period": period or "", "domain": domain or ""},
        domains=DOMAINS,
        chart=_chart(rows, request),
        scoped=allowed is not None,
        **context,
    )


@router.get("/towns/{code}", response_class=HTMLResponse)
def town_page(
    request: Request,
    code: str,
    period: str | None = Query(None, max_length=16),
    domain: str | None = Query(None, max_length=16),
) -> Response:
    """One town: pass rate, samples, failures and change by inspection category."""
    user = current_user(request)
    refused = _forbidden_for_enterprise(request, user)
    if refused is not None:
        return refused
    reader = rate_reader(request)
    locale: str = request.state.locale
    with Session(request.app.state.engine) as session:
        town = session.get(OrgUnit, code)
        if town is None or not _visible(user, code):
            return render_page(request, "_analysis_error.html", 404, message="town")
        context = _context(request, session, reader)
        categories = {c.code: c for c in inspection_repository.categories(session)}
        chosen: Period | None = None
        found: list[PassRateRow] = []
        error = None
        try:
            chosen = _period(period, context["latest"])
            chosen_domain = _domain(domain)
            query = PassRateQuery(
                by=("category",),
                period=chosen,
                filters=RecordFilter(
                    domains=(chosen_domain,) if chosen_domain else (), towns=(code,)
                ),
            )
            found = _rates(request, session, reader, query)
        except QcityError as exc:
            error = str(exc)
    rows: list[dict[str, Any]] = []
    for r in sorted(found, key=lambda r: (r.pass_rate, -r.samples)):
        category = r.keys["category"] or ""
        rows.append(
            {
                "code": category,
                "category": categories.get(category),
                "label": _named(categories.get(category), category, locale),
                "row": r,
                "link": f"/towns/{code}/categories/{category}?"
                + _qs(period=chosen.label if chosen else None),
            }
        )
    return render_page(
        request,
        "towns_detail.html",
        422 if error else 200,
        town=town,
        rows=rows,
        error=error,
        period=chosen,
        filters={"period": period or "", "domain": domain or ""},
        domains=DOMAINS,
        chart=_chart(rows[:CHART_CATEGORIES], request),
        total_samples=sum(r.samples for r in found),
        total_failed=sum(r.failed for r in found),
        **context,
    )


@router.get("/towns/{code}/categories/{category}", response_class=HTMLResponse)
def town_category_page(
    request: Request,
    code: str,
    category: str,
    period: str | None = Query(None, max_length=16),
) -> Response:
    """The sampled units of one town and category, with links to their inspections."""
    user = current_user(request)
    refused = _forbidden_for_enterprise(request, user)
    if refused is not None:
        return refused
    reader = rate_reader(request)
    with Session(request.app.state.engine) as session:
        town = session.get(OrgUnit, code)
        if town is None or not _visible(user, code):
            return render_page(request, "_analysis_error.html", 404, message="town")
        found_category = session.get(InspectionCategory, category)
        if found_category is None:
            return render_page(request, "_analysis_error.html", 404, message="category")
        context = _context(request, session, reader)
        try:
            chosen = _period(period, context["latest"])
        except QcityError as exc:
            return render_page(
                request,
                "towns_category.html",
                422,
                town=town,
                category=found_category,
                entities=[],
                more=False,
                error=str(exc),
                period=None,
                filters={"period": period or ""},
                **context,
            )
        entities, more = entity_rates(session, code, category, chosen.start, chosen.end)
    base = {"town": code, "category": category, "period": chosen.label}
    return render_page(
        request,
        "towns_category.html",
        town=town,
        category=found_category,
        entities=entities,
        more=more,
        error=None,
        period=chosen,
        filters={"period": period or ""},
        all_link="/inspections?" + _qs(**base),
        link=lambda e: (
            "/inspections?" + _qs(**base, **({"unit": e.uscc} if e.uscc else {"q": e.name}))
        ),
        **context,
    )
