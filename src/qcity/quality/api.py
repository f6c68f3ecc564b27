"""``/api/spc`` (control charts, capability, gauge R&R, sampling plans) and ``/api/haccp``.

Input the statistics library refuses is an :class:`~qcity.errors.InputError`, answered 422
with its message by the application's error handler.

Authorisation: the SPC endpoints are stateless calculations on the data posted with the
request (nothing is read or stored), so they stay open to everyone. The HACCP endpoints need a
logged-in user or an API token (401). A CCP, and its monitoring records, deviations,
corrective actions and verifications, belong to the CCP's enterprise (``uscc``): enterprise
users see only their own, inspectors those of entities registered in their towns, admins and
analysts all; anything else is not found (404) and lists are cut to the caller's scope. Writes
need ``upload_entity_data`` (admins, inspectors, enterprise users; 403 otherwise) and the CCP
in scope; creating a CCP for an enterprise outside the caller's scope is refused (403).
``recorded_by``, ``taken_by`` and ``verified_by`` are the authenticated user: the body may
leave them out, and a different name there is refused (422), so nobody writes in another's
name. (The ``qcity haccp`` CLI, run by a trusted operator, still takes ``--by``.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, Form, Path, Query, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from qcity.accounts._authz import (
    UPLOAD,
    VIEW_ALL,
    Principal,
    can_see_entity,
    has_permission,
    require,
    require_login,
    require_permission,
)
from qcity.accounts.models import Role
from qcity.db import unit_of_work
from qcity.errors import InputError, NotFound
from qcity.quality import repository, service
from qcity.quality._chart_dispatch import ChartSpec
from qcity.quality._tabular import Table, read_table_bytes
from qcity.quality.models import Ccp, Deviation
from qcity.quality.schemas import (
    CapabilityOut,
    CapabilityRequest,
    CapabilityUpload,
    CcpCreate,
    CcpOut,
    ChartOptions,
    ChartOut,
    ChartRequest,
    ChartUpload,
    CorrectiveActionCreate,
    CorrectiveActionOut,
    DeviationOut,
    GaugeRROut,
    GaugeRRRequest,
    RecordCreate,
    RecordOut,
    SamplingPlanOut,
    SamplingPlanRequest,
    VerificationCreate,
    VerificationOut,
)
from qcity.registry.models import MarketEntity

router = APIRouter(prefix="/api/spc", tags=["spc"])
haccp_router = APIRouter(prefix="/api/haccp", tags=["haccp"])


def _spec(options: ChartOptions) -> ChartSpec:
    return ChartSpec(
        chart_type=options.type,
        subgroup_size=options.subgroup_size,
        rules=options.rules,
        sigma_method=options.sigma_method,
        lam=options.lam,
        k=options.k,
        h=options.h,
        mean=options.mean,
        sigma=options.sigma,
        p=options.p,
    )


def _uploaded(file: UploadFile) -> Table:
    return read_table_bytes(file.file.read(), file.filename or "upload.csv")


def _out(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = service.jsonable(result)
    return out


@router.post("/chart", response_model=ChartOut)
def chart(body: ChartRequest) -> dict[str, Any]:
    """A control chart of values (or counts) sent as JSON."""
    sizes = None if body.sizes is None else np.asarray(body.sizes, dtype=np.float64)
    spec = replace(_spec(body), subgroup_labels=body.subgroups, sizes=sizes)
    return _out(service.control_chart(body.values, spec).to_dict())


@router.post("/chart/upload", response_model=ChartOut)
def chart_upload(file: UploadFile, form: Annotated[ChartUpload, Form()]) -> dict[str, Any]:
    """A control chart of a column of an uploaded CSV or XLSX file."""
    result = service.chart_from_table(
        _uploaded(file),
        _spec(form),
        column=form.column,
        subgroup_column=form.subgroup_column,
        size_column=form.size_column,
    )
    return _out(result.to_dict())


@router.post("/capability", response_model=CapabilityOut)
def capability(body: CapabilityRequest) -> dict[str, Any]:
    """Process capability of values sent as JSON."""
    result = service.process_capability(
        body.values,
        lsl=body.lsl,
        usl=body.usl,
        target=body.target,
        subgroup_size=body.subgroup_size,
        subgroup_labels=body.subgroups,
    )
    return _out(result.to_dict())


@router.post("/capability/upload", response_model=CapabilityOut)
def capability_upload(
    file: UploadFile, form: Annotated[CapabilityUpload, Form()]
) -> dict[str, Any]:
    """Process capability of a column of an uploaded CSV or XLSX file."""
    result = service.capability_from_table(
        _uploaded(file),
        column=form.column,
        lsl=form.lsl,
        usl=form.usl,
        target=form.target,
        subgroup_column=form.subgroup_column,
        subgroup_size=form.subgroup_size,
    )
    return _out(result.to_dict())


@router.post("/gage-rr", response_model=GaugeRROut)
def gage_rr(body: GaugeRRRequest) -> dict[str, Any]:
    """Crossed gauge R&R study (ANOVA or average and range)."""
    result = service.gauge_rr(
        body.values,
        body.parts,
        body.operators,
        tolerance=body.tolerance,
        method=body.method,
        interaction=body.interaction,
    )
    return _out(result.to_dict())


@router.post("/sampling-plan", response_model=SamplingPlanOut)
def sampling_plan(body: SamplingPlanRequest) -> dict[str, Any]:
    """GB/T 2828.1 single sampling plan: code letter, sample size, Ac, Re."""
    plan = service.sampling_plan(body.lot_size, body.aql, body.level, body.inspection)
    return _out(plan.to_dict())


# --- HACCP ---------------------------------------------------------------------------------


def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


def _writing(request: Request) -> AbstractContextManager[Session]:
    """A unit of work, committed before the response is sent."""
    return unit_of_work(request.app.state.engine)


ReadSession = Annotated[Session, Depends(read_session)]
Reader = Annotated[Principal, Depends(require_login)]
Writer = Annotated[Principal, Depends(require_permission(UPLOAD))]
MAX_ID = 2**31 - 1  # ids fit the INTEGER columns of SQLite and PostgreSQL
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _actor(user: Principal, supplied: str | None, field: str) -> str:
    """The name recorded as ``field``: the authenticated user; a different one is refused."""
    if supplied is not None and supplied.strip() != user.username:
        raise InputError(
            f"{field} {supplied!r} is not you ({user.username}): the logged-in user is "
            f"recorded as {field}; leave the field out"
        )
    return user.username


def _entity(session: Session, uscc: str) -> MarketEntity | None:
    return session.scalars(select(MarketEntity).where(MarketEntity.uscc == uscc)).first()


def _sees(session: Session, user: Principal, uscc: str) -> bool:
    """Whether ``user`` may see the HACCP data of the enterprise ``uscc``."""
    if has_permission(user, VIEW_ALL):
        return True
    entity = _entity(session, uscc) if user.role == Role.INSPECTOR else None
    return can_see_entity(user, uscc, entity.town_code if entity else None)


def _ccp(session: Session, user: Principal, ccp_id: int) -> Ccp:
    """The CCP ``ccp_id``, not found when it is outside the caller's scope."""
    ccp = repository.ccp(session, ccp_id)
    if ccp is None or not _sees(session, user, ccp.uscc):
        raise NotFound(f"no critical control point with id {ccp_id}")
    return ccp


def _deviation(session: Session, user: Principal, deviation_id: int) -> Deviation:
    """The deviation ``deviation_id``, not found when its CCP is outside the caller's scope."""
    deviation = repository.deviation(session, deviation_id)
    if deviation is None or not _sees(session, user, _ccp_uscc(session, deviation.ccp_id)):
        raise NotFound(f"no deviation with id {deviation_id}")
    return deviation


def _ccp_uscc(session: Session, ccp_id: int) -> str:
    return str(session.scalar(select(Ccp.uscc).where(Ccp.id == ccp_id)))


def _visible_ccps(session: Session, user: Principal) -> set[int] | None:
    """The ids of the CCPs ``user`` may see (None: all of them)."""
    if has_permission(user, VIEW_ALL):
        return None
    query = select(Ccp.id)
    if user.role == Role.ENTERPRISE and user.uscc:
        query = query.where(Ccp.uscc == user.uscc)
    elif user.role == Role.INSPECTOR and user.towns:
        in_towns = select(MarketEntity.uscc).where(MarketEntity.town_code.in_(sorted(user.towns)))
        query = query.where(Ccp.uscc.in_(in_towns))
    else:
        return set()
    return set(session.scalars(query))


@haccp_router.post("/ccps", response_model=CcpOut, status_code=201)
def create_ccp(body: CcpCreate, request: Request, user: Writer) -> CcpOut:
    """Register a critical control point with its critical limits (for an enterprise in the
    caller's scope)."""
    with _writing(request) as session:
        require(user, UPLOAD, _entity(session, body.uscc) or body.uscc)
        ccp = service.create_ccp(session, **body.model_dump())
    return CcpOut.model_validate(ccp)


@haccp_router.get("/ccps", response_model=list[CcpOut])
def list_ccps(session: ReadSession, user: Reader, uscc: str | None = None) -> list[CcpOut]:
    """Critical control points in the caller's scope, optionally of one enterprise."""
    visible = _visible_ccps(session, user)
    rows = repository.ccps(session, uscc)
    return [CcpOut.model_validate(c) for c in rows if visible is None or c.id in visible]


@haccp_router.get("/ccps/{ccp_id}", response_model=CcpOut)
def get_ccp(ccp_id: PathId, session: ReadSession, user: Reader) -> CcpOut:
    """One critical control point."""
    return CcpOut.model_validate(_ccp(session, user, ccp_id))


@haccp_router.post("/ccps/{ccp_id}/records", response_model=RecordOut, status_code=201)
def add_record(ccp_id: PathId, body: RecordCreate, request: Request, user: Writer) -> RecordOut:
    """Save a monitoring record; outside the critical limits it opens a deviation."""
    fields = body.model_dump(exclude={"recorded_by"})
    by = _actor(user, body.recorded_by, "recorded_by")
    with _writing(request) as session:
        _ccp(session, user, ccp_id)
        record, deviation = service.record_monitoring(session, ccp_id, recorded_by=by, **fields)
        return RecordOut.of(record, deviation)


@haccp_router.get("/ccps/{ccp_id}/records", response_model=list[RecordOut])
def list_records(
    ccp_id: PathId,
    session: ReadSession,
    user: Reader,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[RecordOut]:
    """Monitoring records of a CCP in time order, each with its deviation if any."""
    _ccp(session, user, ccp_id)
    found = {d.record_id: d for d in repository.deviations(session, ccp_id=ccp_id)}
    rows = repository.records(session, ccp_id, start, end)
    return [RecordOut.of(r, found.get(r.id)) for r in rows]


@haccp_router.get("/deviations", response_model=list[DeviationOut])
def list_deviations(
    session: ReadSession,
    user: Reader,
    ccp_id: QueryId = None,
    status: Literal["open", "all"] = Query("all", description="'open': no corrective action."),
) -> list[DeviationOut]:
    """Deviations in the caller's scope in time order; open ones have no corrective action."""
    if ccp_id is not None:
        _ccp(session, user, ccp_id)
    visible = _visible_ccps(session, user)
    rows = repository.deviations(session, ccp_id=ccp_id, open_only=status == "open")
    return [DeviationOut.of(d) for d in rows if visible is None or d.ccp_id in visible]


@haccp_router.get("/deviations/{deviation_id}", response_model=DeviationOut)
def get_deviation(deviation_id: PathId, session: ReadSession, user: Reader) -> DeviationOut:
    """One deviation with its corrective actions."""
    return DeviationOut.of(_deviation(session, user, deviation_id))


@haccp_router.post("/corrective-actions", response_model=CorrectiveActionOut, status_code=201)
def add_corrective_action(
    body: CorrectiveActionCreate, request: Request, user: Writer
) -> CorrectiveActionOut:
    """Record the corrective action for a deviation (closes it)."""
    fields = body.model_dump(exclude={"deviation_id", "taken_by"})
    by = _actor(user, body.taken_by, "taken_by")
    with _writing(request) as session:
        _deviation(session, user, body.deviation_id)
        action = service.add_corrective_action(session, body.deviation_id, taken_by=by, **fields)
    return CorrectiveActionOut.model_validate(action)


@haccp_router.get("/corrective-actions", response_model=list[CorrectiveActionOut])
def list_corrective_actions(
    session: ReadSession, user: Reader, deviation_id: QueryId = None
) -> list[CorrectiveActionOut]:
    """Corrective actions in the caller's scope, optionally of one deviation."""
    if deviation_id is not None:
        _deviation(session, user, deviation_id)
    visible = _visible_ccps(session, user)
    rows = repository.corrective_actions(session, deviation_id)
    if visible is not None:
        mine = select(Deviation.id).where(Deviation.ccp_id.in_(sorted(visible)))
        deviations = set(session.scalars(mine)) if visible else set()
        rows = [a for a in rows if a.deviation_id in deviations]
    return [CorrectiveActionOut.model_validate(a) for a in rows]


@haccp_router.post("/verifications", response_model=VerificationOut, status_code=201)
def add_verification(body: VerificationCreate, request: Request, user: Writer) -> VerificationOut:
    """Sign off a CCP period; 409 while deviations in it are open."""
    fields = body.model_dump(exclude={"ccp_id", "verified_by"})
    by = _actor(user, body.verified_by, "verified_by")
    with _writing(request) as session:
        _ccp(session, user, body.ccp_id)
        verification = service.sign_off(session, body.ccp_id, verified_by=by, **fields)
    return VerificationOut.model_validate(verification)


@haccp_router.get("/verifications", response_model=list[VerificationOut])
def list_verifications(
    session: ReadSession, user: Reader, ccp_id: QueryId = None
) -> list[VerificationOut]:
    """Verification sign-offs in the caller's scope, optionally of one CCP."""
    if ccp_id is not None:
        _ccp(session, user, ccp_id)
    visible = _visible_ccps(session, user)
    rows = repository.verifications(session, ccp_id)
    return [
        VerificationOut.model_validate(v) for v in rows if visible is None or v.ccp_id in visible
    ]
