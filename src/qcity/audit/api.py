"""``/admin/audit`` (page) and ``/api/audit`` (JSON): browsing the audit log, admins only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from qcity.accounts._authz import VIEW_AUDIT, Principal, current_user, require_permission
from qcity.accounts.schemas import UtcDatetime
from qcity.audit import service
from qcity.audit.repository import AuditFilter

PAGE_SIZE = 50
pages = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: UtcDatetime
    actor: str
    action: str
    table_name: str
    row_pk: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


class AuditPageOut(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[AuditRowOut]


def _filter(
    actor: str | None,
    table: str | None,
    action: str | None,
    date_from: str | None,
    date_to: str | None,
) -> AuditFilter:
    def day(value: str | None) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            from qcity.errors import InputError

            raise InputError(f"date {value!r} is not YYYY-MM-DD") from None

    return AuditFilter(
        actor=actor or None,
        table_name=table or None,
        action=action or None,
        date_from=day(date_from),
        date_to=day(date_to),
    )


@router.get("", response_model=AuditPageOut)
def audit_rows(
    request: Request,
    actor: str | None = Query(None, max_length=128),
    table: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=16),
    date_from: str | None = Query(None, description="YYYY-MM-DD (UTC), inclusive"),
    date_to: str | None = Query(None, description="YYYY-MM-DD (UTC), inclusive"),
    offset: int = Query(0, ge=0, le=2**31 - 1),
    limit: int = Query(PAGE_SIZE, ge=1, le=500),
    _admin: Principal = Depends(require_permission(VIEW_AUDIT)),
) -> AuditPageOut:
    """The audit log, newest first, filtered (administrators only)."""
    where = _filter(actor, table, action, date_from, date_to)
    with Session(request.app.state.engine) as session:
        page = service.browse(session, where, offset=offset, limit=limit)
        items = [AuditRowOut.model_validate(r) for r in page.rows]
    return AuditPageOut(total=page.total, offset=offset, limit=limit, items=items)


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 300 else text[:299] + "…"


@pages.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    actor: str | None = Query(None, max_length=128),
    table: str | None = Query(None, max_length=64),
    date_from: str | None = Query(None, max_length=10),
    date_to: str | None = Query(None, max_length=10),
    offset: int = Query(0, ge=0),
) -> Response:
    """Browse the audit log (administrators only)."""
    from qcity.accounts.api import login_redirect, render_page

    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    if VIEW_AUDIT not in user.permissions:
        return render_page(request, "login.html", 403, next="/", username="", error="forbidden")
    where = _filter(actor, table, None, date_from, date_to)
    with Session(request.app.state.engine) as session:
        page = service.browse(session, where, offset=offset, limit=PAGE_SIZE)
    params = {
        k: v
        for k, v in {
            "actor": actor,
            "table": table,
            "date_from": date_from,
            "date_to": date_to,
        }.items()
        if v
    }

    def link(new_offset: int) -> str:
        return "/admin/audit?" + urlencode({**params, "offset": new_offset})

    return render_page(
        request,
        "audit.html",
        page=page,
        filters={
            "actor": actor or "",
            "table": table or "",
            "date_from": date_from or "",
            "date_to": date_to or "",
        },
        short=_short,
        previous_link=link(max(0, offset - PAGE_SIZE)) if offset > 0 else None,
        next_link=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < page.total else None,
        first=offset + 1 if page.total else 0,
        last=min(offset + PAGE_SIZE, page.total),
    )
