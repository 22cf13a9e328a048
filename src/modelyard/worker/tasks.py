"""What a Dask worker runs. Only a job id and plain settings arrive here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

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


@lru_cache(maxsize=4)
def _services(settings_json: str) -> Services:
    from modelyard.services.container import build_services
    from modelyard.settings import Settings

    return build_services(
        Settings.model_validate_json(settings_json), compute=None, run_migrations=False
    )


def run_job(job_id: int, settings_payload: dict[str, Any]) -> None:
    """Run job ``job_id`` to the end, recording success, failure or cancellation."""
    import json

    services = _services(json.dumps(settings_payload, sort_keys=True))
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
