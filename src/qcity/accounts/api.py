"""Login, logout and the account page (HTML), and ``/api/accounts`` (JSON)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from qcity.accounts import _sessions, service
from qcity.accounts._authz import MANAGE_USERS, Principal, current_user, require_permission
from qcity.accounts.schemas import ApiTokenOut, MeOut, UserOut
from qcity.db import unit_of_work
from qcity.errors import QcityError
from qcity.settings import Settings

pages = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/api/accounts", tags=["accounts"])


def _now(request: Request) -> dt.datetime:
    clock: Callable[[], dt.datetime] = getattr(request.app.state, "clock", _sessions.utcnow)
    return clock()


def render_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> Response:
    from qcity.web.pages import render  # web composes pages; imported late to avoid a cycle

    response = render(
        request,
        template,
        csrf_token=getattr(request.state, "csrf_token", ""),
        current_user=current_user(request),
        **context,
    )
    response.status_code = status_code
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


@pages.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    """The login form."""
    return render_page(request, "login.html", next=safe_next(next), username="", error=None)


@pages.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    next: str = Form("/"),
) -> Response:
    """Check the credentials; on success rotate the session and go to ``next``."""
    settings: Settings = request.app.state.settings
    now = _now(request)
    with unit_of_work(request.app.state.engine) as session:
        outcome = service.authenticate(session, username, password, settings=settings, now=now)
        token = None
        if outcome.user is not None:
            token = service.login(session, outcome.user, request.state.session_token, now)
    if token is None:
        if outcome.locked_until is not None:
            minutes = max(1, math.ceil((outcome.locked_until - now).total_seconds() / 60))
            return render_page(
                request,
                "login.html",
                429,
                next=safe_next(next),
                username=username,
                error="locked",
                minutes=minutes,
            )
        return render_page(
            request, "login.html", 401, next=safe_next(next), username=username, error="wrong"
        )
    request.state.session_cookie = token
    return RedirectResponse(safe_next(next), status_code=303)


@pages.post("/logout")
def logout(request: Request) -> Response:
    """End the session and start an anonymous one."""
    with unit_of_work(request.app.state.engine) as session:
        service.logout(session, request.state.session_token, _now(request))
    request.state.session_cookie = _sessions.new_anonymous_token()
    return RedirectResponse("/", status_code=303)


def _account_page(
    request: Request, user: Principal, status_code: int = 200, **extra: Any
) -> Response:
    assert user.user_id is not None
    with Session(request.app.state.engine) as session:
        tokens = [ApiTokenOut.model_validate(t) for t in service.api_tokens(session, user.user_id)]
    context: dict[str, Any] = {"tokens": tokens, "new_token": None, "message": None, "error": None}
    context.update(extra)
    return render_page(request, "account.html", status_code, user=user, **context)


@pages.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    """Who I am, my scope, my password and my API tokens."""
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    return _account_page(request, user)


@pages.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request,
    current: str = Form(..., max_length=1024),
    new: str = Form(..., max_length=1024),
) -> Response:
    user = current_user(request)
    if not user.is_authenticated:
        return login_redirect(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            service.change_password(session, user, current, new, _now(request))
    except QcityError as exc:
        return _account_page(request, user, 400, error=str(exc))
    return _account_page(request, user, message="password")


@pages.post("/account/tokens", response_class=HTMLResponse)
def account_token_create(request: Request, name: str = Form(..., max_length=64)) -> Response:
    user = current_user(request)
    if not user.is_authenticated or user.user_id is None:
        return login_redirect(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            _, clear = service.create_api_token(session, user.user_id, name, _now(request))
    except QcityError as exc:
        return _account_page(request, user, 400, error=str(exc))
    return _account_page(request, user, new_token=clear)


@pages.post("/account/tokens/{token_id}/revoke")
def account_token_revoke(request: Request, token_id: int) -> Response:
    user = current_user(request)
    if not user.is_authenticated or user.user_id is None:
        return login_redirect(request)
    with unit_of_work(request.app.state.engine) as session:
        service.revoke_api_token(session, user.user_id, token_id, _now(request))
    return RedirectResponse("/account", status_code=303)


@router.get("/me", response_model=MeOut)
def me(user: Principal = Depends(current_user)) -> MeOut:
    """Who this request is authenticated as."""
    return MeOut(
        authenticated=user.is_authenticated,
        username=user.username,
        role=user.role,
        towns=sorted(user.towns),
        uscc=user.uscc,
        permissions=sorted(user.permissions),
        via=user.via,
    )


@router.get("/users", response_model=list[UserOut])
def users(
    request: Request, _admin: Principal = Depends(require_permission(MANAGE_USERS))
) -> list[UserOut]:
    """Every account (administrators only)."""
    with Session(request.app.state.engine) as session:
        return [UserOut.model_validate(u) for u in service.list_users(session)]
