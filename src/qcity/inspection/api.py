"""``/api/inspections`` and ``/api/inspection-categories``: records, import, categories.

Authorisation: the categories are reference data, open to everyone. Inspections need a
logged-in user or an API token (401) and are scoped exactly like the inspections page
(:func:`qcity.inspection._browse.scope_of`): admins and analysts see every inspection,
inspectors those sampled in their towns, enterprise users those where their credit code is
the sampled unit or the nominal manufacturer; an inspection outside the scope is not found
(404). Importing is for admins and analysts (any town) and inspectors (only rows sampled in
their towns; other rows are rejected with the reason ``town_code … is outside your towns``,
like any other rejected row); enterprise users are refused (403).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from qcity.accounts._authz import (
    Principal,
    require_login,
    require_role,
    visible_towns,
)
from qcity.accounts.models import Role
from qcity.errors import InputError, NotFound
from qcity.inspection import _browse, repository
from qcity.inspection._import import SUPPORTED, Importer, rejects_path
from qcity.inspection.models import SamplingInspection
from qcity.inspection.schemas import (
    CategoryOut,
    ImportResult,
    InspectionDetail,
    InspectionOut,
    InspectionPage,
    RejectionOut,
)

router = APIRouter(tags=["inspections"])
MAX_REJECTS_INLINE = 1_000
MAX_ID = 2**31 - 1  # ids and offsets fit the INTEGER columns of SQLite and PostgreSQL


def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


@router.get("/api/inspection-categories", response_model=list[CategoryOut])
def list_categories(
    domain: str | None = Query(
        None, description="food, agri, manufactured, consumer or construction."
    ),
    session: Session = Depends(read_session),
) -> list[CategoryOut]:
    """Inspection categories (a tree whose roots are the five domains)."""
    return [CategoryOut.model_validate(c) for c in repository.categories(session, domain)]


@router.get("/api/inspections", response_model=InspectionPage)
def list_inspections(
    town: str | None = Query(None, description="Town code (12 digits)."),
    category: str | None = Query(None, description="Category code (its children included)."),
    domain: str | None = Query(None, description="food, agri, manufactured, consumer, ..."),
    verdict: Literal["pass", "fail"] | None = Query(None),
    date_from: dt.date | None = Query(None, description="Sampled on or after (YYYY-MM-DD)."),
    date_to: dt.date | None = Query(None, description="Sampled on or before (YYYY-MM-DD)."),
    task_source: str | None = Query(None, max_length=128, description="Part of the task source."),
    q: str | None = Query(
        None, max_length=64, description="Part of the product, sampled unit or manufacturer name."
    ),
    offset: int = Query(0, ge=0, le=MAX_ID),
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> InspectionPage:
    """Sampling inspections in the caller's scope, newest first, filtered and paginated."""
    filters = repository.InspectionFilter(
        town_code=town,
        category_code=category,
        domain=domain,
        verdict=verdict,
        date_from=date_from,
        date_to=date_to,
        task_source=task_source,
        text=q,
    )
    rows, total = _scoped_page(session, filters, _browse.scope_of(user), offset, limit)
    return InspectionPage(
        total=total,
        offset=offset,
        limit=limit,
        items=[InspectionOut.model_validate(r) for r in rows],
    )


def _scoped_page(
    session: Session,
    filters: repository.InspectionFilter,
    scope: _browse.Scope,
    offset: int,
    limit: int,
) -> tuple[list[SamplingInspection], int]:
    """One page of the filtered inspections inside ``scope`` and the total matching."""
    si = SamplingInspection
    query = repository._filtered(select(si), filters)
    conditions = _browse._where(_browse.BrowseFilter(), scope)
    if conditions:
        query = query.where(and_(*conditions))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(si.sampling_date.desc(), si.id.desc())
    return list(session.scalars(ordered.offset(offset).limit(limit))), int(total)


@router.get("/api/inspections/{inspection_id}", response_model=InspectionDetail)
def get_inspection(
    inspection_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> InspectionDetail:
    """One inspection with its test items (not found when outside the caller's scope)."""
    found = _browse.detail(session, inspection_id, _browse.scope_of(user))
    if found is None:
        raise NotFound(f"no sampling inspection with id {inspection_id}")
    return InspectionDetail.model_validate(found.record)


@router.post(
    "/api/inspections/import",
    response_model=ImportResult,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def import_inspections(
    request: Request,
    file: UploadFile = File(..., description="A .csv or .xlsx table (published or template)."),
    rejects: Literal["inline", "file"] = Query(
        "inline",
        description="inline: rejected rows in the JSON body; file: the rejects file itself "
        "(same format as the upload, with 拒收原因), summary in X-Qcity-Import-* headers.",
    ),
    user: Principal = Depends(require_role(Role.ADMIN, Role.ANALYST, Role.INSPECTOR)),
) -> Response | ImportResult:
    """Import an uploaded table through the same path as `qcity inspection import`.

    Admins and analysts import rows of any town, inspectors only rows of their towns.
    """
    towns = visible_towns(user)
    name = Path(file.filename or "upload.csv").name
    if Path(name).suffix.lower() not in SUPPORTED:
        raise InputError(f"{name}: unsupported file type; upload a .csv or .xlsx file")
    workdir = Path(tempfile.mkdtemp(prefix="qcity-import-"))
    try:
        path = workdir / name
        with path.open("wb") as handle:
            shutil.copyfileobj(file.file, handle)
        importer = Importer(request.app.state.engine, allowed_towns=towns)
        summary = importer.import_file(path, display_name=name)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if rejects == "file":
        headers = {
            "X-Qcity-Import-Rows-Read": str(summary.rows_read),
            "X-Qcity-Import-Landed": str(summary.landed),
            "X-Qcity-Import-Rejected": str(summary.rejected),
            "X-Qcity-Import-Already-Present": str(summary.already_present),
        }
        cleanup = BackgroundTask(shutil.rmtree, workdir, ignore_errors=True)
        if summary.rejects_file is None:
            shutil.rmtree(workdir, ignore_errors=True)
            return Response(status_code=204, headers=headers)
        out = rejects_path(path, None)
        return FileResponse(out, filename=out.name, headers=headers, background=cleanup)
    shutil.rmtree(workdir, ignore_errors=True)
    header = summary.headers
    return ImportResult(
        file=name,
        rows_read=summary.rows_read,
        landed=summary.landed,
        rejected=summary.rejected,
        already_present=summary.already_present,
        rejects=[
            RejectionOut(
                row=r.row,
                reason=r.reason,
                cells={h: v for h, v in zip(header, r.cells, strict=False) if h},
            )
            for r in summary.rejections[:MAX_REJECTS_INLINE]
        ],
    )
