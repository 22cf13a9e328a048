"""What a Dask worker runs. Only a job id and plain settings arrive here."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from modelyard.domain import Actor, JobKind
from modelyard.errors import JobCancelledError, ModelyardError

if TYPE_CHECKING:
    from modelyard.ports import ProgressReporter
    from modelyard.services.container import Services

log = logging.getLogger(__name__)

Execute = Callable[[Actor, int, dict[str, Any], "ProgressReporter"], dict[str, Any]]

# Each kind of job is one service's ``execute(actor, job_id, params, reporter)``.
HANDLERS: dict[JobKind, Callable[[Services], Execute]] = {
    JobKind.TRAIN: lambda services: services.training.execute,
    JobKind.INGEST: lambda services: services.datasets.execute_ingest,
    JobKind.PROFILE: lambda services: services.profiles.execute,
    JobKind.SCORE: lambda services: services.scoring.execute,
}


class _Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=_Closable)


class ClosingCache(Generic[T]):
    """The ``size`` most recently used values per key, built on first use; a value pushed
    out is closed as soon as no caller still holds it (a job running with it goes on)."""

    def __init__(self, build: Callable[[str], T], *, size: int) -> None:
        self._build, self._size = build, size
        self._lock = threading.Lock()
        self._values: OrderedDict[str, T] = OrderedDict()
        self._holders: dict[int, int] = {}  # id(value) -> callers holding it
        self._evicted: dict[int, T] = {}  # pushed out while held: closed on the last release

    @contextmanager
    def hold(self, key: str) -> Iterator[T]:
        """The value for ``key``, kept open until the block ends."""
        value, pushed_out = self._acquire(key)
        try:
            for old in pushed_out:
                _close(old)
            yield value
        finally:
            self._release(value)

    def _acquire(self, key: str) -> tuple[T, list[T]]:
        with self._lock:
            value = self._values.get(key)
            if value is None:
                value = self._values[key] = self._build(key)
            self._values.move_to_end(key)
            self._holders[id(value)] = self._holders.get(id(value), 0) + 1
            pushed_out = []
            while len(self._values) > self._size:
                _, old = self._values.popitem(last=False)
                if self._holders.get(id(old), 0):
                    self._evicted[id(old)] = old
                else:
                    pushed_out.append(old)
            return value, pushed_out

    def _release(self, value: T) -> None:
        with self._lock:
            left = self._holders[id(value)] - 1
            if left:
                self._holders[id(value)] = left
                return
            del self._holders[id(value)]
            evicted = self._evicted.pop(id(value), None)
        if evicted is not None:
            _close(evicted)


def _close(value: _Closable) -> None:
    """Close a value pushed out of the cache; a failure there must not fail a job."""
    try:
        value.close()
    except Exception:
        log.exception("closing cached %s failed", type(value).__name__)


def _build_services(settings_json: str) -> Services:
    from modelyard.services.container import build_services
    from modelyard.settings import Settings

    return build_services(
        Settings.model_validate_json(settings_json), compute=None, run_migrations=False
    )


# A worker usually serves one server (one settings); tests and shared clusters serve more.
_SERVICES: ClosingCache[Services] = ClosingCache(_build_services, size=4)


def services_for(settings_payload: dict[str, Any]) -> AbstractContextManager[Services]:
    """This worker's services for the server's settings, held open until the block ends."""
    import json

    return _SERVICES.hold(json.dumps(settings_payload, sort_keys=True))


def run_job(job_id: int, settings_payload: dict[str, Any]) -> None:
    """Run job ``job_id`` to the end, recording success, failure or cancellation."""
    with services_for(settings_payload) as services:
        _run(services, job_id)


def _run(services: Services, job_id: int) -> None:
    recorder = services.recorder
    started = recorder.start(job_id)
    if started is None:
        return  # cancelled (or failed) before a worker picked it up
    reporter = recorder.reporter(job_id)
    try:
        execute = HANDLERS[started.kind](services)
        result = execute(started.actor, job_id, started.params, reporter)
    except JobCancelledError:
        recorder.cancelled(job_id)
    except ModelyardError as exc:
        recorder.fail(job_id, exc.code, exc.message)
    except Exception as exc:  # the job's own failure: record it, keep the worker alive
        log.exception("job %s failed", job_id)
        recorder.fail(
            job_id, "job.crashed", f"The job failed unexpectedly: {type(exc).__name__}: {exc}"
        )
    else:
        recorder.succeed(job_id, result, message=str(result.get("message") or "done"))
