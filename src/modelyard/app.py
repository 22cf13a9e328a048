"""The web application: REST API, web UI, health and metrics on one FastAPI app."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelyard import __version__
from modelyard.api.errors import install_error_handlers
from modelyard.api.fast_predict import PredictFastPath
from modelyard.api.routes import api_router
from modelyard.heap import settle
from modelyard.logs import actor_var, request_id_var
from modelyard.ports import Compute
from modelyard.services.container import Services, build_services, resolve_secret
from modelyard.settings import Settings
from modelyard.worker.scheduler import SchedulerLoop

log = logging.getLogger(__name__)

DESCRIPTION = """Modelyard's REST API. Authenticate with `Authorization: Bearer <token>`;
get a token from `POST /api/v1/auth/tokens`. Every error has the shape
`{"error": {"code", "message", "details"}}`; lists are paginated with `offset` and `limit`."""


def _default_compute(settings: Settings) -> Compute:
    from modelyard.integrations.dask_compute import DaskCompute

    return DaskCompute(
        address=settings.dask.address,
        n_workers=settings.dask.n_workers,
        threads_per_worker=settings.dask.threads_per_worker,
        memory_limit=settings.dask.memory_limit,
    )


def create_app(
    settings: Settings,
    *,
    compute: Compute | None = None,
    with_ui: bool = True,
) -> FastAPI:
    """Build the app. ``compute`` defaults to Dask (a LocalCluster unless an address is set)."""
    services = build_services(settings, compute=compute or _default_compute(settings))
    services.owns_compute = compute is None
    _bootstrap_admin(services)
    threading.Thread(
        target=_reconcile_jobs, args=(services,), name="reconcile-jobs", daemon=True
    ).start()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = _start_scheduler(services)
        app.state.scheduler = scheduler
        settle()  # the heap built so far lives as long as the app: out of the collector's way
        yield
        if scheduler is not None:
            scheduler.stop()
        services.close()

    app = FastAPI(
        title="Modelyard",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(PredictFastPath)  # inside _RequestContext: logged and measured too
    app.add_middleware(_RequestContext)
    _add_operational_routes(app, services)
    app.include_router(api_router)
    if with_ui:
        from modelyard.ui import mount_ui

        mount_ui(app, services, storage_secret=resolve_secret(settings))
    return app


def _bootstrap_admin(services: Services) -> None:
    auth = services.settings.auth
    password = auth.admin_password.get_secret_value() if auth.admin_password else None
    result = services.users.bootstrap(auth.admin_user, password)
    if result is not None and result.generated_password:
        log.warning(
            "Created the first admin user %r with password %r - it is shown only once; "
            "change it or set MODELYARD_ADMIN_PASSWORD.",
            result.username,
            result.generated_password,
        )


def _start_scheduler(services: Services) -> SchedulerLoop | None:
    """The loop that starts scheduled jobs; off with MODELYARD_SCHEDULER__ENABLED=false."""
    settings = services.settings.scheduler
    if not settings.enabled or services.jobs is None:
        return None
    loop = SchedulerLoop(services.schedules.run_due, interval_s=settings.interval_s)
    loop.start()
    return loop


def _reconcile_jobs(services: Services) -> None:
    if services.jobs is None or services.compute is None:
        return
    for _ in range(120):
        if services.compute.is_ready():
            break
        time.sleep(0.5)
    try:
        lost = services.jobs.reconcile()
        if lost:
            log.warning("marked %d unfinished job(s) failed: their worker is gone", lost)
    except Exception:  # reconciliation must never take the server down
        log.exception("job reconciliation failed")


class _RequestContext:
    """Request id and actor in every log line; a metric and an access line per API call.

    A plain ASGI middleware: the ``@app.middleware("http")`` form costs a task group and
    memory streams on every request, which an online prediction cannot afford.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        header_id = headers.get(b"x-request-id")
        request_id = header_id.decode("latin-1") if header_id else uuid.uuid4().hex[:16]
        token = request_id_var.set(request_id)
        actor_token = actor_var.set("-")
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
            path = scope.get("path", "")
            if path.startswith("/api/"):
                from modelyard.metrics import observe_request

                seconds = time.perf_counter() - started
                method = scope.get("method", "")
                observe_request(method, scope.get("route"), status, seconds)
                actor_var.set((scope.get("state") or {}).get("actor", "-"))
                log.info("%s %s -> %s in %.1f ms", method, path, status, seconds * 1000)
        finally:
            request_id_var.reset(token)
            actor_var.reset(actor_token)


def _add_operational_routes(app: FastAPI, services: Services) -> None:
    @app.get("/healthz", tags=["operations"], summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["operations"], summary="Readiness: database and compute are usable")
    def readyz() -> JSONResponse:
        checks = {
            "database": services.is_database_ready(),
            "compute": services.compute is not None and services.compute.is_ready(),
        }
        status = 200 if all(checks.values()) else 503
        return JSONResponse(
            {"status": "ready" if status == 200 else "starting", "checks": checks},
            status_code=status,
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    def metrics() -> PlainTextResponse:
        from modelyard.metrics import render

        body, content_type = render()
        return PlainTextResponse(body, media_type=content_type)
