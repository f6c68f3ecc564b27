"""``/api/trace`` and ``/api/recalls``: traces, mass balance, recall cases and holder progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from qcity.db import unit_of_work
from qcity.trace import repository, service
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


def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


def _cache_dir(request: Request) -> Path | None:
    settings = getattr(request.app.state, "settings", None)
    return None if settings is None else Path(settings.data_dir)


@router.get("/trace/backward/{identifier:path}", response_model=TraceOut)
def trace_backward(
    identifier: str,
    request: Request,
    at: dt.datetime | None = Query(None, description="Only what happened up to this time."),
    depth: int | None = Query(None, ge=0),
    session: Session = Depends(read_session),
) -> TraceOut:
    """Where a lot came from: inputs, suppliers and what carried it, time-ordered."""
    out, _ = service.trace(
        session, identifier, "backward", at=at, max_depth=depth, cache_dir=_cache_dir(request)
    )
    return out


@router.get("/trace/forward/{identifier:path}", response_model=TraceOut)
def trace_forward(
    identifier: str,
    request: Request,
    at: dt.datetime | None = Query(None, description="Only what happened from this time on."),
    depth: int | None = Query(None, ge=0),
    session: Session = Depends(read_session),
) -> TraceOut:
    """Where a lot went: outputs made from it, its holders now, what carried it."""
    out, _ = service.trace(
        session, identifier, "forward", at=at, max_depth=depth, cache_dir=_cache_dir(request)
    )
    return out


@router.get("/trace/mass-balance", response_model=MassBalanceOut)
def mass_balance(
    request: Request,
    tolerance: float = Query(0.02, ge=0, description="Relative tolerance (0.02 = 2 %)."),
    absolute: float = Query(0.0, ge=0, description="Absolute tolerance in the lot's unit."),
    all_rows: bool = Query(False, alias="all", description="Every pair, not only flagged."),
    limit: int = Query(1000, ge=1, le=100_000),
    session: Session = Depends(read_session),
) -> MassBalanceOut:
    """Per lot and holder: received - shipped - consumed - on hand, flagged beyond tolerance."""
    return service.mass_balance(
        session, absolute=absolute, relative=tolerance, flagged_only=not all_rows, limit=limit,
        cache_dir=_cache_dir(request),
    )  # fmt: skip


@router.get("/recalls", response_model=list[RecallCaseOut])
def list_recalls(session: Session = Depends(read_session)) -> list[RecallCaseOut]:
    """Recall cases, newest first."""
    return [RecallCaseOut.model_validate(c) for c in repository.cases(session)]


@router.post("/recalls", response_model=RecallDetailOut, status_code=201)
def start_recall(body: RecallStartIn, request: Request) -> RecallDetailOut:
    """Start a recall: snapshot the scope, notify holders, capture `recalled` EPCIS events."""
    with unit_of_work(request.app.state.engine) as session:
        case = service.start_recall(
            session, body.root, reason=body.reason, started_by=body.started_by,
            hazard=body.hazard, siblings=body.siblings, capture=service.capture_with_epcis,
            cache_dir=_cache_dir(request),
        )  # fmt: skip
        return service.recall_detail(session, case.id)


@router.get("/recalls/{case_id}", response_model=RecallDetailOut)
def get_recall(case_id: int, session: Session = Depends(read_session)) -> RecallDetailOut:
    """A recall case with its scope snapshot and every holder's progress."""
    return service.recall_detail(session, case_id)


@router.post("/recalls/{case_id}/holders/{holder}/progress", response_model=RecallHolderOut)
def report_progress(
    case_id: int, holder: str, body: ProgressIn, request: Request
) -> RecallHolderOut:
    """Report a holder's progress: acknowledged, removed or destroyed (with quantity)."""
    with unit_of_work(request.app.state.engine) as session:
        record = service.report_progress(
            session, case_id, holder, state=body.state, reported_by=body.reported_by,
            quantity=body.quantity, note=body.note, at=body.at,
        )  # fmt: skip
        detail = service.recall_detail(session, case_id)
        return next(h for h in detail.holder_list if h.id == record.id)
