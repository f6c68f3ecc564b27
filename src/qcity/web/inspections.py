"""Inspections: a filterable browser with failed-item detail, and exports of the filter.

``/inspections`` (HTMX refreshes only the results when a filter changes; the same form works
as a plain GET without JavaScript), ``/inspections/{id}/items`` (a row's failed items),
``/inspections/{id}`` (one inspection), ``/inspections/export.csv|.xlsx``. What each user
may see is decided in :mod:`qcity.inspection._browse` (enterprise users: inspections where
their credit code is the sampled unit or the nominal manufacturer); anything outside it is
not found. Personal data is masked; the detail page unmasks the legal representative's name
for users holding ``unmask_personal_data`` who ask, and the unmask is audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from qcity.accounts import PersonalRef, personal
from qcity.accounts._authz import UNMASK, Principal, current_user, has_permission, visible_towns
from qcity.accounts.api import login_redirect, render_page
from qcity.analytics._towns import RateReader
from qcity.analytics.queries import DOMAINS
from qcity.db import unit_of_work
from qcity.errors import QcityError
from qcity.inspection import _browse as browse
from qcity.inspection import repository as inspection_repository
from qcity.inspection._publish import scrub
from qcity.inspection.models import SamplingInspection
from qcity.web import i18n
from qcity.web._cache import cached
from qcity.web.board import data_version, period_choices, rate_reader, town_choices
from qcity.web.pages import fragment

NAMES_SECONDS = 60.0
VARY = "Accept-Language, Cookie, HX-Request, HX-Target"

router = APIRouter(include_in_schema=False)
RESULTS_TARGET = "analysis-results"
RESULTS_TEMPLATE = "_analysis_inspection_results.html"
FILTER_NAMES = ("period", "town", "category", "domain", "verdict", "task_source", "q", "unit")


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    return {name: params.get(name, "").strip()[:128] for name in FILTER_NAMES}


def _parse(filters: dict[str, str]) -> browse.BrowseFilter:
    raw = {k: v for k, v in filters.items() if k != "q"}
    return browse.BrowseFilter.parse(text=filters["q"], **raw)


def _qs(filters: dict[str, str], **extra: str) -> str:
    return urlencode({k: v for k, v in {**filters, **extra}.items() if v})


def _names(session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
    towns = {t.code: t for t in inspection_repository.towns(session)}
    categories = {c.code: c for c in inspection_repository.categories(session)}
    return towns, categories


def _labels(request: Request, kind: str, named: dict[str, Any]) -> dict[str, str]:
    """Code → name in the page's locale, as long as the names are cached (the rows and
    option lists of a page look names up hundreds of times)."""
    locale: str = request.state.locale
    key = ("labels", str(request.app.state.engine.url), kind, locale)
    return cached(key, lambda: {c: _local(o, locale) for c, o in named.items()}, NAMES_SECONDS)


def _task_sources(session: Session) -> list[str]:
    column = SamplingInspection.task_source
    query = select(column).distinct().order_by(column)
    return [str(s) for s in session.scalars(query.limit(200))]


def _partial(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-target") == RESULTS_TARGET
        and headers.get("hx-history-restore-request") != "true"
    )


@router.get("/inspections", response_class=HTMLResponse)
def inspections_page(
    request: Request,
    after: str | None = Query(None, max_length=40),
    before: str | None = Query(None, max_length=40),
) -> Response:
    """Inspections the user may see, newest first, filtered; 50 a page (keyset).

    The filter form and the results are fragments remembered per data version (see
    :func:`qcity.web.board.data_version`), scope and filters: the many users who open the same
    view share one query and one rendering.
    """
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    filters = _filters(request)
    scope = browse.scope_of(user)
    reader = rate_reader(request)
    with Session(request.app.state.engine) as session:
        version = data_version(session, reader)
        view = (version, scope, tuple(filters.items()))
        try:
            chosen = _parse(filters)
            cursors = (browse.Cursor.parse(after), browse.Cursor.parse(before))
            error = None
        except QcityError as exc:
            chosen, cursors, error = None, (None, None), str(exc)

        def results() -> dict[str, Any]:
            context = _results_context(request, session, filters, chosen, scope, cursors, version)
            return {**context, "error": error}

        key = None if error else (*view, after, before)  # a refused filter is not remembered
        results_html = fragment(request, RESULTS_TEMPLATE, key, results)
        status = 422 if error else 200
        if _partial(request):
            return _fragment_response(request, results_html, status)
        towns = visible_towns(user)
        filters_html = fragment(
            request,
            "_inspections_filters.html",
            (*view, None if towns is None else frozenset(towns)),
            lambda: _filter_context(request, session, user, filters, scope, reader, version),
        )
    response = render_page(
        request, "inspections.html", status, filters_html=filters_html, results_html=results_html
    )
    response.headers["Vary"] = VARY
    return response


def _results_context(
    request: Request,
    session: Session,
    filters: dict[str, str],
    chosen: browse.BrowseFilter | None,
    scope: browse.Scope,
    cursors: tuple[browse.Cursor | None, browse.Cursor | None],
    version: Hashable,
) -> dict[str, Any]:
    """What ``_analysis_inspection_results.html`` shows: one page of rows and its links."""
    result = None
    if chosen is not None:
        # The count is the same on every page of a filter: counted once per data version.
        total = cached(
            ("count", version, chosen, scope), lambda: browse.count(session, chosen, scope)
        )
        after, before = cursors
        result = browse.page(session, chosen, scope, after=after, before=before, total=total)
    towns, categories = _reference(request, session)
    older = result.older if result else None
    newer = result.newer if result else None
    return {
        "filters": filters,
        "result": result,
        "error": None,
        "town_labels": _labels(request, "towns", towns),
        "category_labels": _labels(request, "categories", categories),
        "query": _qs(filters),
        "newer_link": _link(filters, before=str(newer)) if newer else None,
        "older_link": _link(filters, after=str(older)) if older else None,
        "first_link": _link(filters) if any(cursors) else None,
        "cap": browse.COUNT_CAP,
    }


def _filter_context(
    request: Request,
    session: Session,
    user: Principal,
    filters: dict[str, str],
    scope: browse.Scope,
    reader: RateReader,
    version: Hashable,
) -> dict[str, Any]:
    """What ``_inspections_filters.html`` shows: the heading and the filter form's choices."""
    towns, categories = _reference(request, session)
    latest = cached(("latest", version), reader.latest_date)
    return {
        "filters": filters,
        "scope": scope,
        "period": None,
        "town_labels": _labels(request, "towns", towns),
        "category_labels": _labels(request, "categories", categories),
        "town_options": town_choices(session, user),
        "category_options": sorted(categories.values(), key=lambda c: (c.domain, c.code)),
        "domains": DOMAINS,
        "periods": period_choices(latest),
        "sources": cached(("sources", version), lambda: _task_sources(session)),
    }


def _reference(request: Request, session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
    """Towns and categories by code (reference data changes rarely: a minute's staleness)."""
    engine_key = str(request.app.state.engine.url)
    return cached(("names", engine_key), lambda: _names(session), NAMES_SECONDS)


def _fragment_response(request: Request, html: str, status: int) -> HTMLResponse:
    locale: str = request.state.locale
    headers = {"Content-Language": i18n.HTML_LANG[locale], "Vary": VARY}
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _link(filters: dict[str, str], **extra: str) -> str:
    return "/inspections?" + _qs(filters, **extra)


def _export_headers(locale: str) -> list[str]:
    _ = i18n.translations(locale).gettext
    return [
        _("Report number"), _("Sampling date"), _("Town"), _("Category"), _("Product"),
        _("Brand"), _("Specification"), _("Production date or batch"), _("Sampled unit"),
        _("Sampled unit credit code"), _("Sampled unit address"), _("Legal representative"),
        _("Nominal manufacturer"), _("Manufacturer credit code"), _("Manufacturer address"),
        _("Task source"), _("Laboratory"), _("Verdict"), _("Failed items"),
    ]  # fmt: skip


def _export_rows(request: Request, user: Principal) -> tuple[list[str], list[list[str]]]:
    filters = _filters(request)
    locale: str = request.state.locale
    _ = i18n.translations(locale).gettext
    verdicts = {"pass": _("Pass"), "fail": _("Fail")}
    with Session(request.app.state.engine) as session:
        # Reference data (towns, categories) changes rarely: a minute's staleness is fine.
        engine_key = str(request.app.state.engine.url)
        towns, categories = cached(("names", engine_key), lambda: _names(session), NAMES_SECONDS)
        town_names = {code: _local(t, locale) for code, t in towns.items()}
        category_names = {code: _local(c, locale) for code, c in categories.items()}
        rows = []
        for row in browse.export_rows(
            session, _parse(filters), browse.scope_of(user), town_names, category_names
        ):
            row[17] = verdicts.get(row[17], row[17])
            rows.append(row)
    return _export_headers(locale), rows


def _local(obj: Any, locale: str) -> str:
    return str({"zh_Hans": obj.name_zh_hans, "zh_Hant": obj.name_zh_hant}.get(locale, obj.name_en))


def _export(request: Request, write: Callable[[list[str], list[list[str]]], Response]) -> Response:
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    try:
        headers, rows = _export_rows(request, user)
    except QcityError as exc:
        return Response(str(exc), status_code=422, media_type="text/plain; charset=utf-8")
    response = write(headers, rows)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/inspections/export.csv")
def export_csv(request: Request) -> Response:
    """The current filter as CSV (UTF-8 with BOM), personal data masked."""

    def write(headers: list[str], rows: list[list[str]]) -> Response:
        def lines() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")
            writer.writerow(headers)
            for start in range(0, len(rows), 1000):
                writer.writerows(rows[start : start + 1000])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            yield buffer.getvalue()

        disposition = 'attachment; filename="inspections.csv"'
        return StreamingResponse(
            lines(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )

    return _export(request, write)


@router.get("/inspections/export.xlsx")
def export_xlsx(request: Request) -> Response:
    """The current filter as an Excel workbook, personal data masked."""

    def write(headers: list[str], rows: list[list[str]]) -> Response:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("inspections")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        disposition = 'attachment; filename="inspections.xlsx"'
        return Response(
            buffer.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": disposition},
        )

    return _export(request, write)


def _detail(request: Request, inspection_id: int) -> browse.Detail | None:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = browse.detail(session, inspection_id, browse.scope_of(current_user(request)))
        if found is not None:
            session.expunge_all()
        return found


@router.get("/inspections/{inspection_id}/items", response_class=HTMLResponse)
def inspection_items(request: Request, inspection_id: int) -> Response:
    """The failed test items of one inspection (the expansion of a browser row)."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    found = _detail(request, inspection_id)
    if found is None:
        return render_page(request, "_analysis_error.html", 404, message="inspection")
    return render_page(request, "_analysis_inspection_items.html", detail=found)


@router.get("/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(request: Request, inspection_id: int, unmask: bool = False) -> Response:
    """One inspection with every test item; personal data masked unless unmasked (audited)."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    found = _detail(request, inspection_id)
    if found is None:
        return render_page(request, "_analysis_error.html", 404, message="inspection")
    representative = None
    if found.entity is not None:
        ref = PersonalRef(
            "market_entity", found.entity.id, "legal_representative", "inspections page"
        )
        value = found.entity.legal_representative
        if unmask and has_permission(user, UNMASK):
            with unit_of_work(request.app.state.engine) as session:  # the unmask is audited
                representative = personal(session, value, "name", user, ref, unmask=True)
        else:
            representative = personal(None, value, "name", user, ref)
    with Session(request.app.state.engine) as session:
        # Reference data (towns, categories) changes rarely: a minute's staleness is fine.
        engine_key = str(request.app.state.engine.url)
        towns, categories = cached(("names", engine_key), lambda: _names(session), NAMES_SECONDS)
    return render_page(
        request,
        "inspections_detail.html",
        detail=found,
        record=found.record,
        town=towns.get(found.record.town_code),
        category=categories.get(found.record.category_code),
        representative=representative,
        unmasked=unmask and has_permission(user, UNMASK),
        may_unmask=has_permission(user, UNMASK),
        scrub=scrub,
    )
