"""``/api/spc`` (control charts, capability, gauge R&R, sampling plans) and ``/api/haccp``.

Input the statistics library refuses is an :class:`~qcity.errors.InputError`, answered 422
with its message by the application's error handler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, Form, Path, Query, Request, UploadFile
from sqlalchemy.orm import Session

from qcity.db import unit_of_work
from qcity.quality import repository, service
from qcity.quality._chart_dispatch import ChartSpec
from qcity.quality._tabular import Table, read_table_bytes
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
MAX_ID = 2**31 - 1  # ids fit the INTEGER columns of SQLite and PostgreSQL
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@haccp_router.post("/ccps", response_model=CcpOut, status_code=201)
def create_ccp(body: CcpCreate, request: Request) -> CcpOut:
    """Register a critical control point with its critical limits."""
    with _writing(request) as session:
        ccp = service.create_ccp(session, **body.model_dump())
    return CcpOut.model_validate(ccp)


@haccp_router.get("/ccps", response_model=list[CcpOut])
def list_ccps(session: ReadSession, uscc: str | None = None) -> list[CcpOut]:
    """Critical control points, optionally of one enterprise."""
    return [CcpOut.model_validate(c) for c in repository.ccps(session, uscc)]


@haccp_router.get("/ccps/{ccp_id}", response_model=CcpOut)
def get_ccp(ccp_id: PathId, session: ReadSession) -> CcpOut:
    """One critical control point."""
    return CcpOut.model_validate(service.get_ccp(session, ccp_id))


@haccp_router.post("/ccps/{ccp_id}/records", response_model=RecordOut, status_code=201)
def add_record(ccp_id: PathId, body: RecordCreate, request: Request) -> RecordOut:
    """Save a monitoring record; outside the critical limits it opens a deviation."""
    with _writing(request) as session:
        record, deviation = service.record_monitoring(session, ccp_id, **body.model_dump())
        return RecordOut.of(record, deviation)


@haccp_router.get("/ccps/{ccp_id}/records", response_model=list[RecordOut])
def list_records(
    ccp_id: PathId,
    session: ReadSession,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[RecordOut]:
    """Monitoring records of a CCP in time order, each with its deviation if any."""
    service.get_ccp(session, ccp_id)
    found = {d.record_id: d for d in repository.deviations(session, ccp_id=ccp_id)}
    rows = repository.records(session, ccp_id, start, end)
    return [RecordOut.of(r, found.get(r.id)) for r in rows]


@haccp_router.get("/deviations", response_model=list[DeviationOut])
def list_deviations(
    session: ReadSession,
    ccp_id: QueryId = None,
    status: Literal["open", "all"] = Query("all", description="'open': no corrective action."),
) -> list[DeviationOut]:
    """Deviations in time order; open ones have no corrective action yet."""
    rows = repository.deviations(session, ccp_id=ccp_id, open_only=status == "open")
    return [DeviationOut.of(d) for d in rows]


@haccp_router.get("/deviations/{deviation_id}", response_model=DeviationOut)
def get_deviation(deviation_id: PathId, session: ReadSession) -> DeviationOut:
    """One deviation with its corrective actions."""
    return DeviationOut.of(service.get_deviation(session, deviation_id))


@haccp_router.post("/corrective-actions", response_model=CorrectiveActionOut, status_code=201)
def add_corrective_action(body: CorrectiveActionCreate, request: Request) -> CorrectiveActionOut:
    """Record the corrective action for a deviation (closes it)."""
    fields = body.model_dump(exclude={"deviation_id"})
    with _writing(request) as session:
        action = service.add_corrective_action(session, body.deviation_id, **fields)
    return CorrectiveActionOut.model_validate(action)


@haccp_router.get("/corrective-actions", response_model=list[CorrectiveActionOut])
def list_corrective_actions(
    session: ReadSession, deviation_id: QueryId = None
) -> list[CorrectiveActionOut]:
    """Corrective actions, optionally of one deviation."""
    rows = repository.corrective_actions(session, deviation_id)
    return [CorrectiveActionOut.model_validate(a) for a in rows]


@haccp_router.post("/verifications", response_model=VerificationOut, status_code=201)
def add_verification(body: VerificationCreate, request: Request) -> VerificationOut:
    """Sign off a CCP period; 409 while deviations in it are open."""
    fields = body.model_dump(exclude={"ccp_id"})
    with _writing(request) as session:
        verification = service.sign_off(session, body.ccp_id, **fields)
    return VerificationOut.model_validate(verification)


@haccp_router.get("/verifications", response_model=list[VerificationOut])
def list_verifications(session: ReadSession, ccp_id: QueryId = None) -> list[VerificationOut]:
    """Verification sign-offs, optionally of one CCP."""
    return [VerificationOut.model_validate(v) for v in repository.verifications(session, ccp_id)]
