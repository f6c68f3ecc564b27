"""CSRF protection: a synchronizer token bound to the session cookie, checked on every unsafe
method. Forms send it as the ``csrf_token`` field, HTMX and fetch as ``X-CSRF-Token``.

The token is ``HMAC(secret_key, session token)``: it changes whenever the session does (login,
logout) and cannot be computed without both the secret and the HttpOnly cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import Message, Receive, Scope

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MAX_FORM_BYTES = 64 * 1024 * 1024


SESSION_FORMS = frozenset({"/login", "/logout"})


def needs_check(method: str, path: str, via: str) -> bool:
    """Unsafe methods are checked when a session cookie carries the user's authority, and
    always on the forms that establish or end a session (no login CSRF). Bearer-token
    clients are exempt, as are anonymous requests elsewhere: they carry no authority that a
    forged request could borrow (what they may do, anyone may do directly)."""
    if method in SAFE_METHODS or via == "token":
        return False
    return via == "session" or path in SESSION_FORMS


def token_for(secret_key: str, session_token: str) -> str:
    """The CSRF token that goes with ``session_token``."""
    message = b"qcity-csrf:" + session_token.encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def matches(secret_key: str, session_token: str | None, provided: str | None) -> bool:
    """Constant-time check of a submitted token against the session's."""
    if not session_token or not provided:
        return False
    return hmac.compare_digest(token_for(secret_key, session_token), provided)


class BufferedBody:
    """Reads the request body once and replays it to the application."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.body = b""
        self.was_read = False
        self._replayed = False

    async def read(self, limit: int = MAX_FORM_BYTES) -> bool:
        """Read the whole body; False when it exceeds ``limit`` bytes."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self._receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return False
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self.body = b"".join(chunks)
        self.was_read = True
        return True

    async def receive(self) -> Message:
        if not self._replayed:
            self._replayed = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        return await self._receive()


async def submitted_token(scope: Scope, body: BufferedBody) -> str | None:
    """The token from the form field in a buffered urlencoded or multipart body."""
    content_type = ""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            content_type = value.decode("latin-1").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.body.decode("utf-8", "replace")).get(FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):

        async def once() -> Message:
            return {"type": "http.request", "body": body.body, "more_body": False}

        request = Request(scope, receive=once)
        form = await request.form()
        try:
            value = form.get(FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()
    return None
