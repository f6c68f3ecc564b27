"""``qcity serve``: the web application."""

from __future__ import annotations

import typer

from qcity import _cli_support as support
from qcity.settings import get_settings


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default QCITY_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default QCITY_PORT, 8000)."),
    workers: int = typer.Option(
        1, min=1, max=64, help="Worker processes (one per core serves more users at once)."
    ),
) -> None:
    """Serve the web app and API (checks the database first)."""
    import uvicorn  # imported here so that other commands start fast

    from qcity.web.app import create_app

    settings = get_settings()
    settings.require_safe_secrets()
    engine = support.engine()  # refuses early when the database is unreachable or behind
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"qcity serving on http://{bind_host}:{bind_port} (API docs at /docs)")
    if workers > 1:  # each worker process builds its own app from the same environment
        engine.dispose()
        uvicorn.run(
            "qcity.web.app:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers,
            log_level="warning",
        )
        return
    uvicorn.run(create_app(settings, engine), host=bind_host, port=bind_port, log_level="warning")
