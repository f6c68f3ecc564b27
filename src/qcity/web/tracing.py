"""Trace and recall: look up an identifier, see its trace graph, start and follow a recall.

``GET /trace`` (lookup, graph, lots, events), ``GET /trace/scope.xlsx|csv`` (FSMA 204 KDE
spreadsheet), ``POST /recalls`` (start), ``GET /recalls`` (cases), ``GET /recalls/{id}`` (case,
holders' progress) and ``POST /recalls/{id}/holders/{holder}/progress`` (HTMX row update).
Who sees what is decided in :mod:`qcity.web._tracing_scope`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from qcity.accounts._authz import current_user
from qcity.accounts.api import login_redirect, render_page
from qcity.db import unit_of_work
from qcity.errors import InputError, NotFound
from qcity.trace import repository, service
from qcity.trace.models import HOLDER_STATES, RecallHolder
from qcity.trace.service import Describer
from qcity.web import _tracing_data as tdata
from qcity.web import _tracing_graph as tgraph
from qcity.web import _tracing_scope as scope
from qcity.web.workbench import gettext_for

router = APIRouter(include_in_schema=False)
MAX_ROWS = 500
MAX_EVENTS_SHOWN = 200
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
}


def _cache_dir(request: Request) -> Path | None:
    settings = getattr(request.app.state, "settings", None)
    return None if settings is None else Path(settings.data_dir)


def _not_found(request: Request, identifier: str) -> str:
    _ = gettext_for(request)
    return _(
        "No traceability events name {identifier} that you may see. Check the identifier (EPC "
        "URN, GS1 Digital Link or urn:qcity:lot:<USCC>:<batch>) or capture its events first."
    ).format(identifier=identifier)


def _trace_context(
    request: Request, session: Session, identifier: str, direction: str
) -> dict[str, Any]:
    user = current_user(request)
    traced = tdata.scoped_trace(session, user, identifier, direction, _cache_dir(request))
    rows = tdata.depth_sorted(traced.rows)
    graph = tgraph.build(session, traced.scope, rows, traced.result.events)
    parties = {r.holder for r in rows} | {n["holder"] for n in graph.nodes.values()}
    describe = Describer.load(session, {r.id for r in rows}, parties)
    roots = {r.id for r in rows if r.depth == 0}
    return {
        "rows": rows[:MAX_ROWS],
        "row_count": len(rows),
        "lot_count": len({r.id for r in rows}),
        "hidden": traced.hidden,
        "describe": describe,
        "towns": tdata.town_names(session, {r.town for r in rows}),
        "events": graph.events[:MAX_EVENTS_SHOWN],
        "event_count": len(graph.events),
        "graph": tgraph.echarts(graph, describe, roots),
        "roots": sorted(roots),
    }


@router.get("/trace", response_class=HTMLResponse)
def trace_page(request: Request, id: str = "", direction: str = "backward") -> Response:
    """Look up an identifier; with ``id`` show its trace graph, lots and events."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    direction = direction if direction in tdata.DIRECTIONS else "backward"
    identifier = id.strip()[:512]
    context: dict[str, Any] = {
        "identifier": identifier,
        "direction": direction,
        "error": None,
        "may_recall": scope.may_start_recall(user),
    }
    status = 200
    with Session(request.app.state.engine) as session:
        context["examples"] = tdata.examples(session, user)
        if identifier:
            try:
                context |= _trace_context(request, session, identifier, direction)
            except NotFound:
                context["error"], status = _not_found(request, identifier), 404
            except InputError as exc:
                context["error"], status = str(exc), 422
    return render_page(request, "trace.html", status_code=status, **context)


@router.get("/trace/scope{suffix}")
def trace_spreadsheet(
    request: Request, suffix: str, id: str = "", direction: str = "forward"
) -> Response:
    """The KDE spreadsheet of the visible part of a trace (``.xlsx`` or ``.csv``)."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    if suffix not in MIME:
        return Response(status_code=404)
    direction = direction if direction in tdata.DIRECTIONS else "forward"
    with Session(request.app.state.engine) as session:
        try:
            traced = tdata.scoped_trace(session, user, id, direction, _cache_dir(request))
        except (NotFound, InputError):
            return Response(_not_found(request, id), status_code=404, media_type="text/plain")
        content = tdata.spreadsheet(session, traced, suffix)
    name = f"trace-{direction}-{service.lot_code(id)}{suffix}"
    return Response(
        content,
        media_type=MIME[suffix],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("/recalls", response_class=HTMLResponse)
def start_recall(
    request: Request,
    identifier: str = Form(""),
    reason: str = Form("", max_length=2000),
    hazard: str = Form("", max_length=64),
) -> Response:
    """Open a recall case for the forward trace of a lot (admins and analysts)."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    _ = gettext_for(request)
    if not scope.may_start_recall(user):
        return render_page(
            request,
            "trace.html",
            status_code=403,
            identifier=identifier,
            direction="forward",
            examples=[],
            may_recall=False,
            error=_("Only the bureau's administrators and analysts start recalls."),
        )
    if not reason.strip():
        error = _("Say why the lot is recalled (for example the failed inspection).")
        return _trace_with_error(request, identifier, error, 422)
    try:
        with unit_of_work(request.app.state.engine) as session:
            case = service.start_recall(
                session,
                identifier,
                reason=reason,
                hazard=hazard,
                started_by=user.username,
                capture=service.capture_with_epcis,
                cache_dir=_cache_dir(request),
            )
            case_id = case.id
    except NotFound:
        return _trace_with_error(request, identifier, _not_found(request, identifier), 404)
    except InputError as exc:
        return _trace_with_error(request, identifier, str(exc), 422)
    return RedirectResponse(f"/recalls/{case_id}", status_code=303)


def _trace_with_error(request: Request, identifier: str, error: str, status: int) -> Response:
    user = current_user(request)
    return render_page(
        request,
        "trace.html",
        status_code=status,
        identifier=identifier,
        direction="forward",
        examples=[],
        error=error,
        may_recall=scope.may_start_recall(user),
    )


@router.get("/recalls", response_class=HTMLResponse)
def recalls(request: Request, before: int | None = None) -> Response:
    """Recall cases the user may see, newest first (100 a page)."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    with Session(request.app.state.engine) as session:
        cases = scope.visible_cases(session, user, before)
    more = cases[-1].id if len(cases) == scope.PAGE else None
    return render_page(
        request, "recalls.html", cases=cases, more=more, may_recall=scope.may_start_recall(user)
    )


def _detail(request: Request, session: Session, case_id: int) -> dict[str, Any]:
    user = current_user(request)
    case = repository.case(session, case_id)
    holders = [] if case is None else list(repository.case_holders(session, case_id))
    visible = [h for h in holders if scope.sees_holder(user, h)]
    if case is None or not (scope.sees_all(user) or visible):
        raise NotFound(f"no recall case {case_id}")
    seen = {h.holder for h in visible}
    lots = [
        lot
        for lot in repository.case_lots(session, case_id)
        if scope.sees_all(user) or lot.holder in seen
    ]
    progress = {h.id: list(repository.holder_progress(session, h.id)) for h in visible}
    return {
        "case": case,
        "holders": visible,
        "lots": lots[:MAX_ROWS],
        "lot_count": len(lots),
        "progress": progress,
        "states": HOLDER_STATES,
        "towns": tdata.town_names(session, {h.town_code for h in visible}),
    }


@router.get("/recalls/{case_id}", response_class=HTMLResponse)
def recall_page(request: Request, case_id: int) -> Response:
    """One recall case: who, when, why, scope, and each holder's progress."""
    if not current_user(request).is_authenticated:
        return login_redirect(request)
    with Session(request.app.state.engine) as session:
        try:
            context = _detail(request, session, case_id)
        except NotFound:
            message = gettext_for(request)("There is no recall case {id} that you may see.")
            return render_page(
                request,
                "recalls.html",
                status_code=404,
                cases=[],
                more=None,
                may_recall=False,
                error=message.format(id=case_id),
            )
    return render_page(request, "recall.html", **context)


@router.post("/recalls/{case_id}/holders/{holder_id}/progress", response_class=HTMLResponse)
def report_progress(
    request: Request,
    case_id: int,
    holder_id: int,
    state: str = Form(""),
    quantity: str = Form(""),
    note: str = Form("", max_length=2000),
) -> Response:
    """Move a holder forward (acknowledged, removed, destroyed); HTMX gets the updated row."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    _ = gettext_for(request)
    error: str | None = None
    try:
        amount = _quantity(quantity, _)
        with unit_of_work(request.app.state.engine) as session:
            holder = _detail_holder(request, session, case_id, holder_id)
            _check_progress(holder.state, state, amount, _)
            service.report_progress(
                session,
                case_id,
                str(holder_id),
                state=state,
                reported_by=user.username,
                quantity=amount,
                note=note,
            )
    except NotFound:
        return Response(
            _("There is no recall case {id} that you may see.").format(id=case_id),
            status_code=404,
            media_type="text/plain",
        )
    except InputError as exc:
        error = str(exc)
    htmx = request.headers.get("HX-Request") == "true"
    if not htmx and error is None:
        return RedirectResponse(f"/recalls/{case_id}", status_code=303)
    with Session(request.app.state.engine) as session:
        context = _detail(request, session, case_id)
    if not htmx:
        return render_page(request, "recall.html", status_code=422, error=error, **context)
    holder = next(h for h in context["holders"] if h.id == holder_id)
    rest = {k: v for k, v in context.items() if k != "holders"}
    return render_page(request, "recall_holder.html", holder=holder, error=error, **rest)


def _quantity(text: str, _: Any) -> float | None:
    value = text.strip().replace(",", "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InputError(_("Quantity: “{value}” is not a number").format(value=text)) from None
    if not number >= 0 or number == float("inf"):
        raise InputError(_("Quantity: “{value}” is not a number").format(value=text))
    return number


def _check_progress(current: str, state: str, amount: float | None, _: Any) -> None:
    """The service's rules, said in the page's language."""
    if state not in HOLDER_STATES[1:]:
        raise InputError(_("Choose the holder's new state."))
    if HOLDER_STATES.index(state) < HOLDER_STATES.index(current):
        raise InputError(_("A recall never moves back: this holder is further along already."))
    if state in ("removed", "destroyed") and amount is None:
        raise InputError(_("Say how much was taken off the shelves or destroyed (quantity)."))


def _detail_holder(
    request: Request, session: Session, case_id: int, holder_id: int
) -> RecallHolder:
    """The holder, refused (as not found) when the user may not see it."""
    holder = next((h for h in repository.case_holders(session, case_id) if h.id == holder_id), None)
    if holder is None or not scope.sees_holder(current_user(request), holder):
        raise NotFound(f"no recall case {case_id}")
    return holder
