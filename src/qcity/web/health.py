"""``/health``: is the database reachable and at the migration head?"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from qcity import __version__
from qcity.db.migrations import schema_status

router = APIRouter(tags=["health"])


class DatabaseHealth(BaseModel):
    reachable: bool
    revision: str | None
    head: str
    up_to_date: bool
    error: str | None = None


class Health(BaseModel):
    status: str
    version: str
    database: DatabaseHealth


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> JSONResponse:
    """``ok`` (200) when the database is reachable and migrated, else ``error`` (503)."""
    status = await run_in_threadpool(schema_status, request.app.state.engine)
    body = Health(
        status="ok" if status.up_to_date else "error",
        version=__version__,
        database=DatabaseHealth(
            reachable=status.reachable,
            revision=status.revision,
            head=status.head,
            up_to_date=status.up_to_date,
            error=status.error
            or (None if status.up_to_date else "database behind: run `qcity db upgrade`"),
        ),
    )
    return JSONResponse(body.model_dump(), status_code=200 if status.up_to_date else 503)
