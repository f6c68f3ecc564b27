"""Server-side sessions, API tokens, and the middleware that authenticates every request.

The session cookie (HttpOnly, SameSite=Lax, Secure in production) holds an opaque token:
``s.<random>`` for a logged-in session, whose sha256 is a ``user_session`` row, or ``a.<random>``
for an anonymous visitor (never stored; it only binds the CSRF token of the login form).
Login always issues a new token and revokes the old session; sessions end after the idle
timeout or the absolute lifetime, whichever comes first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qcity.accounts import _csrf
from qcity.accounts._authz import PUBLIC, Principal
from qcity.accounts.models import ApiToken, User, UserSession
from qcity.audit import reset_actor, set_actor
from qcity.audit._chain import as_utc
from qcity.db.session import unit_of_work
from qcity.settings import Settings

COOKIE = "qcity_session"
SESSION_PREFIX = "s."
ANONYMOUS_PREFIX = "a."
API_TOKEN_PREFIX = "qct_"
TOUCH_EVERY = dt.timedelta(minutes=1)
log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_token() -> str:
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def new_anonymous_token() -> str:
    return ANONYMOUS_PREFIX + secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            dt.timedelta(minutes=settings.session_idle_minutes),
            dt.timedelta(hours=settings.session_absolute_hours),
        )


def principal_for(user: User, via: Any) -> Principal:
    return Principal(
        username=user.username,
        role=user.role,
        user_id=user.id,
        towns=frozenset(user.towns or ()),
        uscc=user.uscc,
        granted=frozenset(user.permissions or ()),
        via=via,
    )


def open_session(session: Session, user: User, now: dt.datetime) -> str:
    """A new session for ``user``; returns the token for the cookie."""
    token = new_session_token()
    session.add(
        UserSession(user_id=user.id, token_hash=digest(token), created_at=now, last_seen_at=now)
    )
    session.flush()
    return token


def revoke_session(session: Session, token: str | None, now: dt.datetime) -> None:
    """End the session behind ``token`` (nothing happens for anonymous or unknown tokens)."""
    if not token or not token.startswith(SESSION_PREFIX):
        return
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == digest(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user_sessions(session: Session, user_id: int, now: dt.datetime) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def resolve_session(
    session: Session, token: str, now: dt.datetime, policy: SessionPolicy
) -> Principal | None:
    """The principal of a live session, or None (expired sessions are revoked on the way)."""
    if not token.startswith(SESSION_PREFIX):
        return None
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user_session.revoked_at is not None or user.disabled:
        return None
    idle = now - as_utc(user_session.last_seen_at)
    age = now - as_utc(user_session.created_at)
    if idle > policy.idle or age > policy.absolute:
        user_session.revoked_at = now
        return None
    if idle > TOUCH_EVERY:
        user_session.last_seen_at = now
    return principal_for(user, "session")


def resolve_api_token(session: Session, token: str) -> Principal | None:
    """The owner of a live API token, or None."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.revoked_at is not None or user.disabled:
        return None
    return principal_for(user, "token")


def cookie_header(value: str, *, secure: bool) -> tuple[bytes, bytes]:
    parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return b"set-cookie", "; ".join(parts).encode("latin-1")


def _deny(status: int, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)


class SecurityMiddleware:
    """Authenticates every request (session cookie or bearer token), enforces CSRF on unsafe
    methods for cookie sessions, sets the audit actor and writes the session cookie.

    Handlers change the cookie by setting ``request.state.session_cookie`` (login, logout).
    The clock is ``app.state.clock`` when set (tests), else the wall clock.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        web_app = scope["app"]
        settings: Settings = web_app.state.settings
        engine: Engine = web_app.state.engine
        clock: Callable[[], dt.datetime] = getattr(web_app.state, "clock", utcnow)
        connection = HTTPConnection(scope)
        state: dict[str, Any] = scope.setdefault("state", {})

        authorization = connection.headers.get("authorization", "")
        token = connection.cookies.get(COOKIE)
        fresh_anonymous = False
        if authorization:
            scheme, _, credential = authorization.partition(" ")
            principal = None
            if scheme.lower() == "bearer" and credential.strip():
                principal = await run_in_threadpool(_resolve_token, engine, credential.strip())
            if principal is None:
                response = _deny(
                    401, "invalid or revoked API token", **{"WWW-Authenticate": "Bearer"}
                )
                await response(scope, receive, send)
                return
            token = None
        else:
            principal = None
            if token and token.startswith(SESSION_PREFIX):
                now = clock()
                policy = SessionPolicy.from_settings(settings)
                principal = await run_in_threadpool(_resolve, engine, token, now, policy)
            if not token or not token.startswith((SESSION_PREFIX, ANONYMOUS_PREFIX)):
                token, fresh_anonymous = new_anonymous_token(), True
            principal = principal or PUBLIC

        state["user"] = principal
        state["session_token"] = token
        state["csrf_token"] = _csrf.token_for(settings.secret_key, token) if token else ""

        if _csrf.needs_check(scope["method"], scope["path"], principal.via):
            body = _csrf.BufferedBody(receive)
            provided = connection.headers.get(_csrf.HEADER)
            if not provided:
                if not await body.read():
                    await _deny(413, "request body too large")(scope, receive, send)
                    return
                provided = await _csrf.submitted_token(scope, body)
            if body.was_read:
                receive = body.receive
            if fresh_anonymous or not _csrf.matches(settings.secret_key, token, provided):
                response = _deny(
                    403, "CSRF token missing or wrong: reload the page and submit it again"
                )
                await response(scope, receive, send)
                return

        secure = settings.env == "production"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = state.get("session_cookie")
                if value is None and fresh_anonymous:
                    headers = dict(message.get("headers", []))
                    if headers.get(b"content-type", b"").startswith(b"text/html"):
                        value = token
                if value:
                    message = {**message, "headers": [*message.get("headers", [])]}
                    message["headers"].append(cookie_header(value, secure=secure))
            await send(message)

        actor = set_actor(principal.actor)
        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            reset_actor(actor)


def _resolve(
    engine: Engine, token: str, now: dt.datetime, policy: SessionPolicy
) -> Principal | None:
    try:
        with Session(engine) as session:  # every request: one read, nothing to commit
            row = session.execute(
                select(UserSession.created_at, UserSession.last_seen_at, User)
                .join(User, User.id == UserSession.user_id)
                .where(UserSession.token_hash == digest(token), UserSession.revoked_at.is_(None))
            ).first()
            if row is None or row[2].disabled:
                return None
            created_at, last_seen_at, user = row
            if (
                now - as_utc(last_seen_at) <= min(TOUCH_EVERY, policy.idle)
                and now - as_utc(created_at) <= policy.absolute
            ):
                return principal_for(user, "session")
        with unit_of_work(engine) as session:  # at most once a minute: touch or expire
            return resolve_session(session, token, now, policy)
    except SQLAlchemyError:  # schema behind or database down: nobody is logged in
        log.warning("session lookup failed", exc_info=True)
        return None


def _resolve_token(engine: Engine, token: str) -> Principal | None:
    try:
        with Session(engine) as session:
            return resolve_api_token(session, token)
    except SQLAlchemyError:
        log.warning("API token lookup failed", exc_info=True)
        return None
