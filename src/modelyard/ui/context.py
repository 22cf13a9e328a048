"""The services the pages use, and how pages call them off the event loop.

NiceGUI is process-global, so the services are too: ``mount_ui`` (or a test's main file)
sets them once, pages read them with :func:`services`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

from nicegui import app, run

from modelyard.services.container import Services
from modelyard.services.jobs import JobService

P = ParamSpec("P")
R = TypeVar("R")

_services: Services | None = None


def set_services(services: Services) -> None:
    global _services
    _services = services


def services() -> Services:
    if _services is None:
        raise RuntimeError("the UI was not mounted: call modelyard.ui.mount_ui first")
    return _services


def jobs() -> JobService:
    """The job service; it exists wherever the web UI runs (only workers lack it)."""
    job_service = services().jobs
    if job_service is None:
        raise RuntimeError("the web UI needs the job service: build the services with a compute")
    return job_service


async def call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking service call in a worker thread, so the event loop stays free.

    ``run.io_bound`` answers None when the app stops or the calling task is cancelled; that
    becomes a CancelledError here, so callers never mistake it for the service's answer.
    """
    result = await run.io_bound(fn, *args, **kwargs)
    if result is None:
        task = asyncio.current_task()
        if app.is_stopping or app.is_stopped or (task is not None and task.cancelling()):
            raise asyncio.CancelledError
    return cast(R, result)
