"""``/epcis``: the EPCIS 2.0 REST binding's capture and events endpoints (JSON-LD and XML).

Authorisation: every route needs a logged-in user or an API token (401). Capturing
(``POST /epcis/capture``, ``POST /epcis/events``) needs ``upload_entity_data`` (admins,
inspectors, enterprise users; 403 otherwise). A capture job records its creator in its
``source`` (``api user:<name>``) and is shown only to that user and to admins (404 otherwise).
Events name lots of many enterprises and carry no owner of their own, so querying them
(``GET /epcis/events``, ``GET /epcis/events/{id}``) is for ``view_all_entities`` (admins and
analysts; 403 otherwise); other users follow their lots through ``/api/trace``, which is
scoped per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from qcity.accounts._authz import (
    UPLOAD,
    VIEW_ALL,
    Principal,
    require_login,
    require_permission,
)
from qcity.accounts.models import Role
from qcity.db import unit_of_work
from qcity.epcis import _query, repository, service
from qcity.epcis._document import EpcisInputError
from qcity.epcis._xml_out import query_document
from qcity.epcis.models import CaptureJob
from qcity.epcis.schemas import CaptureJobOut, EventCapturedOut, ProblemOut, QueryDocumentOut
from qcity.errors import NotFound

router = APIRouter(prefix="/epcis", tags=["epcis"])

VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/ld+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/xml": {"schema": {"type": "string"}},
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ProblemOut}}


def read_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def _source(user: Principal) -> str:
    """The ``source`` of the capture jobs ``user`` creates through the API."""
    return f"api {user.actor}"


def _may_see_job(user: Principal, job: CaptureJob) -> bool:
    return user.role == Role.ADMIN or job.source == _source(user)


def _problem_response(error: EpcisInputError) -> JSONResponse:
    body = {"detail": str(error), "problems": [p.to_dict() for p in error.problems]}
    return JSONResponse(body, status_code=400, headers=VERSION_HEADERS)


@router.post(
    "/capture",
    status_code=202,
    response_model=CaptureJobOut,
    responses=_ERRORS,
    openapi_extra=_BODY,
    summary="Capture an EPCIS document (JSON-LD or XML)",
)
async def capture(
    request: Request,
    behaviour: str | None = Header(
        None,
        alias="GS1-Capture-Error-Behaviour",
        description="rollback (default: nothing is stored if any event fails) or proceed.",
    ),
    user: Principal = Depends(require_permission(UPLOAD)),
) -> Response:
    """Validate and store the document's events; 202 with the capture job in ``Location``.

    Processing is synchronous: the job is finished when the response is sent. Malformed input,
    and under ``rollback`` any invalid event, give 400 naming the field.
    """
    data = await request.body()
    chosen = service.error_behaviour(behaviour)
    try:
        with unit_of_work(request.app.state.engine) as session:
            outcome = service.capture(
                session,
                data,
                request.headers.get("content-type"),
                behaviour=chosen,
                source=_source(user),
            )
            body = service.job_resource(outcome.job)
    except EpcisInputError as error:
        return _problem_response(error)
    location = str(request.url_for("capture_job", capture_id=body["captureID"]).path)
    headers = {**VERSION_HEADERS, "Location": location}
    return JSONResponse(body, status_code=202, headers=headers)


@router.get("/capture/{capture_id}", response_model=CaptureJobOut, name="capture_job")
def capture_job(
    capture_id: int,
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> JSONResponse:
    """The capture job: running, success, error behaviour, errors and warnings (its creator and
    admins)."""
    job = service.get_job(session, capture_id)
    if not _may_see_job(user, job):
        raise NotFound(f"capture job {capture_id} does not exist")
    return JSONResponse(service.job_resource(job), headers=VERSION_HEADERS)


@router.post(
    "/events",
    status_code=201,
    response_model=EventCapturedOut,
    responses=_ERRORS,
    openapi_extra=_BODY,
    summary="Capture one EPCIS event",
)
async def capture_event(
    request: Request, user: Principal = Depends(require_permission(UPLOAD))
) -> Response:
    """Store one event (JSON-LD or XML); 201 with the event's URL in ``Location`` and a body
    with its ``eventID`` and ``warnings`` (accepted, but worth knowing)."""
    data = await request.body()
    try:
        with unit_of_work(request.app.state.engine) as session:
            outcome = service.capture(
                session,
                data,
                request.headers.get("content-type"),
                single_event=True,
                source=_source(user),
            )
    except EpcisInputError as error:
        return _problem_response(error)
    event_id = outcome.event_ids[0]
    location = f"{router.prefix}/events/{quote(event_id, safe='')}"
    body = {"eventID": event_id, "warnings": [w.to_dict() for w in outcome.warnings]}
    return JSONResponse(body, status_code=201, headers={**VERSION_HEADERS, "Location": location})


def _wants_xml(accept: str | None) -> bool:
    accept = (accept or "").lower()
    return "xml" in accept and "json" not in accept.split("xml")[0]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _render(
    documents: list[dict[str, Any]], accept: str | None, headers: dict[str, str]
) -> Response:
    if _wants_xml(accept):
        return Response(
            query_document(documents, _now()), media_type="application/xml", headers=headers
        )
    body = {
        "@context": [CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _now(),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": documents},
            }
        },
    }
    return JSONResponse(body, media_type="application/ld+json", headers=headers)


@router.get("/events", response_model=QueryDocumentOut, responses=_ERRORS)
def query_events(
    request: Request,
    event_type: str | None = Query(
        None, alias="eventType", description="Event types, comma-separated."
    ),
    ge_event_time: str | None = Query(None, alias="GE_eventTime"),
    lt_event_time: str | None = Query(None, alias="LT_eventTime"),
    ge_record_time: str | None = Query(None, alias="GE_recordTime"),
    lt_record_time: str | None = Query(None, alias="LT_recordTime"),
    eq_action: str | None = Query(None, alias="EQ_action"),
    eq_biz_step: str | None = Query(
        None, alias="EQ_bizStep", description="shipping, URN or Web URI."
    ),
    eq_disposition: str | None = Query(None, alias="EQ_disposition"),
    eq_read_point: str | None = Query(None, alias="EQ_readPoint"),
    eq_biz_location: str | None = Query(None, alias="EQ_bizLocation"),
    match_epc: str | None = Query(None, alias="MATCH_epc", description="EPCs or patterns with *."),
    match_any_epc: str | None = Query(None, alias="MATCH_anyEPC"),
    match_epc_class: str | None = Query(None, alias="MATCH_epcClass"),
    match_parent_id: str | None = Query(None, alias="MATCH_parentID"),
    match_input_epc: str | None = Query(None, alias="MATCH_inputEPC"),
    match_output_epc: str | None = Query(None, alias="MATCH_outputEPC"),
    eq_event_id: str | None = Query(None, alias="EQ_eventID"),
    exists_error_declaration: str | None = Query(None, alias="EXISTS_errorDeclaration"),
    per_page: int | None = Query(None, alias="perPage", ge=1, le=_query.MAX_PER_PAGE),
    next_page_token: str | None = Query(None, alias="nextPageToken"),
    accept: str | None = Header(None),
    session: Session = Depends(read_session),
    _user: Principal = Depends(require_permission(VIEW_ALL)),
) -> Response:
    """SimpleEventQuery: matching events in event-time order, ``perPage`` at a time; the next page
    is linked in the ``Link`` header (``rel="next"``) with an opaque ``nextPageToken``."""
    params = dict(request.query_params)
    where = _query.parse_filter(params)
    limit = _query.per_page(params)
    after = _query.read_token(params)
    rows = repository.find_events(session, where, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    headers = dict(VERSION_HEADERS)
    if more:
        last = rows[-1]
        token = _query.make_token(params, repository.as_utc(last.event_time), last.id)
        following = {
            **{k: v for k, v in params.items() if k != "nextPageToken"},
            "nextPageToken": token,
        }
        headers["Link"] = f'<{request.url.path}?{urlencode(following)}>; rel="next"'
        headers["GS1-Next-Page-Token"] = token
    return _render([service.event_document(r) for r in rows], accept, headers)


@router.get("/events/{event_id:path}", response_model=QueryDocumentOut)
def get_event(
    event_id: str,
    accept: str | None = Header(None),
    session: Session = Depends(read_session),
    _user: Principal = Depends(require_permission(VIEW_ALL)),
) -> Response:
    """One event by its eventID (or event hash ID)."""
    event = service.get_event(session, event_id)
    return _render([service.event_document(event)], accept, dict(VERSION_HEADERS))
