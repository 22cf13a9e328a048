"""`modelyard serve`: the web app (UI, API, docs, metrics) in this process, with uvicorn.

Everything heavy (FastAPI, SQLAlchemy, Dask, NiceGUI) is imported inside the command so
that the rest of the CLI answers instantly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from modelyard.errors import InvalidInputError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from modelyard.settings import Settings


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default: MODELYARD_HOST or 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default: MODELYARD_PORT or 8000).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Web worker processes.")] = 1,
) -> None:
    """Run Modelyard: web UI at /, API at /api/v1, docs at /docs, metrics at /metrics."""
    import uvicorn

    from modelyard.app import create_app
    from modelyard.logs import configure_logging

    settings = load_settings()
    settings.server.host = host or settings.server.host
    settings.server.port = port or settings.server.port
    if workers > 1 and not settings.dask.address:
        raise InvalidInputError(
            "--workers above 1 needs a shared Dask scheduler: set MODELYARD_DASK_ADDRESS "
            "(otherwise every worker would start its own cluster).",
            code="serve.workers_need_dask",
        )
    configure_logging(settings.server.log_level, is_json=settings.server.log_json)
    app = create_app(settings) if workers == 1 else f"{__name__}:app_from_environment"
    uvicorn.run(
        app,
        host=settings.server.host,
        port=settings.server.port,
        workers=workers,
        factory=workers > 1,  # each worker process builds its own app from the environment
        log_config=None,  # keep Modelyard's logging
        access_log=False,  # the app logs every API request itself
    )


def load_settings() -> Settings:
    """Settings from the environment; a bad value becomes a readable error."""
    from pydantic import ValidationError

    from modelyard.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInputError(
            f"Invalid configuration: {problems}", code="settings.invalid"
        ) from exc


def app_from_environment() -> FastAPI:
    """The app of one worker process when `--workers` is above 1 (uvicorn's factory)."""
    from modelyard.app import create_app
    from modelyard.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.server.log_level, is_json=settings.server.log_json)
    return create_app(settings)
