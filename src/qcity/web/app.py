"""The FastAPI application: pages, health and the JSON API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qcity import __version__
from qcity.accounts._sessions import SecurityMiddleware
from qcity.accounts.api import pages as accounts_pages
from qcity.accounts.api import router as accounts_router
from qcity.audit.api import pages as audit_pages
from qcity.audit.api import router as audit_router
from qcity.db import make_engine
from qcity.epcis.api import router as epcis_router
from qcity.errors import QcityError
from qcity.indicators.api import router as indicators_router
from qcity.inspection.api import router as inspection_router
from qcity.quality.api import haccp_router
from qcity.quality.api import router as spc_router
from qcity.registry.api import router as registry_router
from qcity.settings import Settings, get_settings
from qcity.trace.api import router as trace_router
from qcity.web import board, i18n, inspections, pages, portal, towns, tracing, workbench
from qcity.web.health import router as health_router

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()
    settings.require_safe_secrets()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        yield
        engine.dispose()

    app = FastAPI(
        title="qcity",
        version=__version__,
        description="Quality-supervision platform: registry, inspections, indicators, SPC.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health_router)
    app.include_router(registry_router)
    app.include_router(spc_router)
    app.include_router(haccp_router)
    app.include_router(epcis_router)
    app.include_router(inspection_router)
    app.include_router(indicators_router)
    app.include_router(trace_router)
    app.include_router(accounts_router)
    app.include_router(audit_router)
    app.include_router(pages.router)
    for area in (board, towns, inspections, workbench, tracing, portal):
        app.include_router(area.router)
    app.include_router(accounts_pages)
    app.include_router(audit_pages)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(SecurityMiddleware)  # sessions, API tokens, CSRF, audit actor
    app.add_exception_handler(QcityError, _qcity_error)
    return app


class LocaleMiddleware:
    """Locale from ?lang= (remembered in a cookie), the cookie, or Accept-Language.

    Plain ASGI rather than ``@app.middleware("http")``: that wrapper runs every response
    through an extra task and memory stream, a measurable share of a fast page.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        chosen = i18n.normalise(connection.query_params.get("lang"))
        remembered = i18n.normalise(connection.cookies.get("qcity_lang"))
        scope.setdefault("state", {})["locale"] = (
            chosen or remembered or i18n.negotiate(connection.headers.get("accept-language"))
        )
        if not chosen:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = Response()
                cookie.set_cookie("qcity_lang", chosen, max_age=365 * 86400, samesite="lax")
                headers = [*message.get("headers", []), *cookie.raw_headers[-1:]]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _qcity_error(_request: Request, exc: Exception) -> JSONResponse:
    status = exc.http_status if isinstance(exc, QcityError) else 500
    return JSONResponse({"detail": str(exc)}, status_code=status)
