from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import JobRead, RunRead, TrainingCreate
from modelyard.domain import Page

router = APIRouter(tags=["training"])


@router.post(
    "/training",
    response_model=JobRead,
    status_code=202,
    summary="Start training on a dataset version; returns the job to watch",
)
def start_training(body: TrainingCreate, actor: CurrentActor, services: ServicesDep):
    return services.training.start(
        actor,
        body.dataset_version_id,
        body.target,
        project_id=body.project_id,
        options=body.options,
    )


@router.get("/runs", response_model=Page[RunRead], summary="Training runs, newest first")
def list_runs(
    actor: CurrentActor,
    services: ServicesDep,
    project_id: int | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.training.list_runs(actor, project_id=project_id, offset=offset, limit=limit)


@router.get(
    "/runs/{run_id:int}", response_model=RunRead, summary="One training run with its metrics"
)
def get_run(run_id: int, actor: CurrentActor, services: ServicesDep):
    return services.training.get_run(actor, run_id)


@router.get(
    "/dataset-versions/{version_id}/recommendation",
    response_model=dict[str, Any],
    summary="Suggested task, metric, model families, validation and budget, with reasons",
)
def recommendation(
    version_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    target: str = Query(default="", description="The column to predict; empty: clustering."),
):
    return services.training.recommend(actor, version_id, target)
