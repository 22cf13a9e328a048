from __future__ import annotations

from fastapi import APIRouter, Query

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import JobLogLineRead, JobRead
from modelyard.domain import JobKind, JobStatus, Page
from modelyard.errors import DependencyUnavailableError
from modelyard.services.container import Services
from modelyard.services.jobs import JobService

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _jobs(services: Services) -> JobService:
    if services.jobs is None:
        raise DependencyUnavailableError(
            "This process runs no job service.", code="jobs.unavailable"
        )
    return services.jobs


@router.get("", response_model=Page[JobRead], summary="Jobs, newest first")
def list_jobs(
    actor: CurrentActor,
    services: ServicesDep,
    status: JobStatus | None = None,
    kind: JobKind | None = None,
    project_id: int | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return _jobs(services).list(
        actor, status=status, kind=kind, project_id=project_id, offset=offset, limit=limit
    )


@router.get("/{job_id}", response_model=JobRead, summary="A job: status, progress, result or error")
def get_job(job_id: int, actor: CurrentActor, services: ServicesDep):
    return _jobs(services).get(actor, job_id)


@router.get("/{job_id}/logs", response_model=list[JobLogLineRead], summary="A job's log lines")
def job_logs(
    job_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    after: int = Query(default=0, ge=0, description="Skip this many lines."),
):
    return _jobs(services).logs(actor, job_id, after=after)


@router.post("/{job_id}/cancel", response_model=JobRead, summary="Cancel a queued or running job")
def cancel_job(job_id: int, actor: CurrentActor, services: ServicesDep):
    return _jobs(services).cancel(actor, job_id)
