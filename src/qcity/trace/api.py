"""``/api/trace`` and ``/api/recalls``: traces, mass balance, recall cases and holder progress.

Authorisation (the rule of :mod:`qcity.trace._scope`, the same as the trace pages): every
route needs a logged-in user or an API token (401). Traces keep only the rows (and the events
naming a lot) the caller sees; a root lot outside the caller's scope is not found (404).
Mass balance spans every holder in the city: admins and analysts only (403). Recalls are
started by admins and analysts (403 otherwise) and listed, shown and progressed only for the
holders the caller sees (404 otherwise). ``started_by`` and ``reported_by`` are the
authenticated user; what the client sends there is ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from sqlalchemy.orm import Session

from qcity.accounts._authz import (
    VIEW_ALL,
    Forbidden,
    Principal,
    require_login,
    require_permission,
)
from qcity.db import unit_of_work
from qcity.errors import NotFound
from qcity.trace import _scope, repository, service
from qcity.trace.schemas import (
    MassBalanceOut,
    ProgressIn,
    RecallCaseOut,
    RecallDetailOut,
    RecallHolderOut,
    RecallStartIn,
    TraceOut,
)

router = APIRouter(prefix="/api", tags=["trace"])
IGNORED = "Ignored: the authenticated user is recorded."


class RecallStart(RecallStartIn):
    started_by: str | None = Field(None, max_length=64, description=IGNORED)  # type: ignore[assignment]


class Progress(ProgressIn):
    reported_by: str | None = Field(None, max_length=64, description=IGNORED)  # type: ignore[assignment]


def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


def _cache_dir(request: Request) -> Path | None:
    settings = getattr(request.app.state, "settings", None)
    return None if settings is None else Path(settings.data_dir)


def _trace(
    request: Request,
    session: Session,
    user: Principal,
    identifier: str,
    direction: str,
    at: dt.datetime | None,
    depth: int | None,
) -> TraceOut:
    out, result = service.trace(
        session, identifier, direction, at=at, max_depth=depth, cache_dir=_cache_dir(request)
    )
    return _scope.scoped_trace_out(session, user, out, list(result.events))


@router.get("/trace/backward/{identifier:path}", response_model=TraceOut)
def trace_backward(
    identifier: str,
    request: Request,
    at: dt.datetime | None = Query(None, description="Only what happened up to this time."),
    depth: int | None = Query(None, ge=0),
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> TraceOut:
    """Where a lot came from: inputs, suppliers and what carried it, time-ordered (the rows
    the caller may see)."""
    return _trace(request, session, user, identifier, "backward", at, depth)


@router.get("/trace/forward/{identifier:path}", response_model=TraceOut)
def trace_forward(
    identifier: str,
    request: Request,
    at: dt.datetime | None = Query(None, description="Only what happened from this time on."),
    depth: int | None = Query(None, ge=0),
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> TraceOut:
    """Where a lot went: outputs made from it, its holders now, what carried it (the rows the
    caller may see)."""
    return _trace(request, session, user, identifier, "forward", at, depth)


@router.get("/trace/mass-balance", response_model=MassBalanceOut)
def mass_balance(
    request: Request,
    tolerance: float = Query(0.02, ge=0, description="Relative tolerance (0.02 = 2 %)."),
    absolute: float = Query(0.0, ge=0, description="Absolute tolerance in the lot's unit."),
    all_rows: bool = Query(False, alias="all", description="Every pair, not only flagged."),
    limit: int = Query(1000, ge=1, le=100_000),
    session: Session = Depends(read_session),
    _user: Principal = Depends(require_permission(VIEW_ALL)),
) -> MassBalanceOut:
    """Per lot and holder: received - shipped - consumed - on hand, flagged beyond tolerance
    (admins and analysts)."""
    return service.mass_balance(
        session, absolute=absolute, relative=tolerance, flagged_only=not all_rows, limit=limit,
        cache_dir=_cache_dir(request),
    )  # fmt: skip


@router.get("/recalls", response_model=list[RecallCaseOut])
def list_recalls(
    session: Session = Depends(read_session), user: Principal = Depends(require_login)
) -> list[RecallCaseOut]:
    """Recall cases the caller may see, newest first."""
    cases = _scope.visible_cases(session, user, limit=None)
    return [RecallCaseOut.model_validate(c) for c in cases]


@router.post("/recalls", response_model=RecallDetailOut, status_code=201)
def start_recall(
    body: RecallStart, request: Request, user: Principal = Depends(require_login)
) -> RecallDetailOut:
    """Start a recall: snapshot the scope, notify holders, capture `recalled` EPCIS events
    (admins and analysts)."""
    if not _scope.may_start_recall(user):
        raise Forbidden("only the bureau's administrators and analysts start recalls")
    with unit_of_work(request.app.state.engine) as session:
        case = service.start_recall(
            session, body.root, reason=body.reason, started_by=user.username,
            hazard=body.hazard, siblings=body.siblings, capture=service.capture_with_epcis,
            cache_dir=_cache_dir(request),
        )  # fmt: skip
        return service.recall_detail(session, case.id)


def _visible_detail(session: Session, user: Principal, case_id: int) -> RecallDetailOut:
    """The case cut down to the holders (and their lots) the caller sees; 404 when none."""
    if _scope.sees_all(user):
        return service.recall_detail(session, case_id)
    seen = {
        h.holder for h in repository.case_holders(session, case_id) if _scope.sees_holder(user, h)
    }
    if not seen:  # an unknown case and a case the caller may not see get the same answer
        raise NotFound(f"no recall case {case_id}")
    detail = service.recall_detail(session, case_id)
    holders = [h for h in detail.holder_list if h.holder in seen]
    lots = [lot for lot in detail.scope_lots if lot.holder in seen]
    states = {s: sum(1 for h in holders if h.state == s) for s in detail.holder_states}
    return detail.model_copy(
        update={
            "holder_list": holders,
            "scope_lots": lots,
            "holder_states": states,
            "holders": len(holders),
            "lots": len({lot.identifier for lot in lots}),
        }
    )


@router.get("/recalls/{case_id}", response_model=RecallDetailOut)
def get_recall(
    case_id: int,
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> RecallDetailOut:
    """A recall case with its scope snapshot and the progress of the holders the caller sees."""
    return _visible_detail(session, user, case_id)


def _check_holder(session: Session, user: Principal, case_id: int, key: str) -> None:
    """404 unless ``user`` sees the holder ``key`` (credit code, party URI or row id)."""
    if _scope.sees_all(user):
        return  # the service names what is missing
    for h in repository.case_holders(session, case_id):
        if (h.holder == key or str(h.id) == key) and _scope.sees_holder(user, h):
            return
    raise NotFound(f"no recall case {case_id}")


@router.post("/recalls/{case_id}/holders/{holder}/progress", response_model=RecallHolderOut)
def report_progress(
    case_id: int, holder: str, body: Progress, request: Request,
    user: Principal = Depends(require_login),
) -> RecallHolderOut:  # fmt: skip
    """Report a holder's progress: acknowledged, removed or destroyed (with quantity); only
    for a holder the caller sees."""
    with unit_of_work(request.app.state.engine) as session:
        _check_holder(session, user, case_id, holder)
        record = service.report_progress(
            session, case_id, holder, state=body.state, reported_by=user.username,
            quantity=body.quantity, note=body.note, at=body.at,
        )  # fmt: skip
        detail = service.recall_detail(session, case_id)
        return next(h for h in detail.holder_list if h.id == record.id)
