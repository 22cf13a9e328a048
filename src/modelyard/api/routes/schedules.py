"""/api/v1/schedules: cron-scheduled batch scoring."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import JobRead
from modelyard.api.schemas.schedules import (
    ScheduleCreate,
    SchedulePreview,
    ScheduleRead,
    ScheduleUpdate,
)
from modelyard.domain import Page
from modelyard.services.schedules import ScoringTarget

router = APIRouter(prefix="/schedules", tags=["schedules"])


@router.post("", response_model=ScheduleRead, status_code=201, summary="Schedule batch scoring")
def create_schedule(body: ScheduleCreate, actor: CurrentActor, services: ServicesDep):
    target = ScoringTarget(
        dataset_version_id=body.dataset_version_id,
        model_version_id=body.model_version_id,
        endpoint=body.endpoint,
        format=body.format,
    )
    return services.schedules.create(
        actor, body.name, body.cron, target, timezone=body.timezone, is_enabled=body.is_enabled
    )


@router.get("", response_model=Page[ScheduleRead], summary="Schedules of the workspace")
def list_schedules(
    actor: CurrentActor,
    services: ServicesDep,
    model_version_id: int | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.schedules.list(
        actor, model_version_id=model_version_id, offset=offset, limit=limit
    )


@router.get(
    "/preview", response_model=SchedulePreview, summary="The next times a cron expression fires"
)
def preview_schedule(
    actor: CurrentActor,
    services: ServicesDep,
    cron: str = Query(description="Cron expression, e.g. '0 6 * * *'."),
    timezone: str = "UTC",
    count: int = Query(default=5, ge=1, le=50),
):
    runs = services.schedules.preview(actor, cron, timezone=timezone, count=count)
    return SchedulePreview(cron=cron, timezone=timezone, next_runs=runs)


@router.get("/{schedule_id}", response_model=ScheduleRead, summary="One schedule")
def get_schedule(schedule_id: int, actor: CurrentActor, services: ServicesDep):
    return services.schedules.get(actor, schedule_id)


@router.patch("/{schedule_id}", response_model=ScheduleRead, summary="Enable or disable")
def update_schedule(
    schedule_id: int, body: ScheduleUpdate, actor: CurrentActor, services: ServicesDep
):
    if body.is_enabled is None:
        return services.schedules.get(actor, schedule_id)
    return services.schedules.set_enabled(actor, schedule_id, body.is_enabled)


@router.delete("/{schedule_id}", status_code=204, summary="Delete a schedule")
def delete_schedule(schedule_id: int, actor: CurrentActor, services: ServicesDep) -> Response:
    services.schedules.delete(actor, schedule_id)
    return Response(status_code=204)


@router.post("/{schedule_id}/run", response_model=JobRead, status_code=202, summary="Run it now")
def run_schedule(schedule_id: int, actor: CurrentActor, services: ServicesDep):
    return services.schedules.run_now(actor, schedule_id)
