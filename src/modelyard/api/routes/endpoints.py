from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import (
    DeploymentCreate,
    DeploymentRead,
    DeploymentUpdate,
    ModelVersionRead,
    PredictRequest,
    PredictResponse,
)
from modelyard.api.schemas.traffic import (
    CanaryStart,
    DeploymentRevisionRead,
    TrafficNote,
    TrafficStatsRead,
    TrafficUpdate,
)
from modelyard.domain import Page

router = APIRouter(prefix="/endpoints", tags=["endpoints"])
INLINE_RECORDS = 64  # requests this small on a warm endpoint are scored on the event loop


@router.post(
    "",
    response_model=DeploymentRead,
    status_code=201,
    summary="Deploy a model version behind a named endpoint",
)
def create_endpoint(body: DeploymentCreate, actor: CurrentActor, services: ServicesDep):
    return services.deployments.create(actor, body.name, body.model_version_id, stage=body.stage)


@router.get("", response_model=Page[DeploymentRead], summary="Endpoints")
def list_endpoints(
    actor: CurrentActor, services: ServicesDep, offset: Offset = 0, limit: Limit = 50
):
    return services.deployments.list(actor, offset=offset, limit=limit)


@router.get("/{name}", response_model=DeploymentRead, summary="One endpoint")
def get_endpoint(name: str, actor: CurrentActor, services: ServicesDep):
    return services.deployments.get(actor, name)


@router.get(
    "/{name}/model",
    response_model=ModelVersionRead,
    summary="The model version an endpoint serves, with its input schema",
)
def endpoint_model(name: str, actor: CurrentActor, services: ServicesDep):
    return services.deployments.served_model(actor, name)


@router.put("/{name}", response_model=DeploymentRead, summary="Serve another model version")
def update_endpoint(name: str, body: DeploymentUpdate, actor: CurrentActor, services: ServicesDep):
    return services.deployments.update(actor, name, body.model_version_id)


@router.post(
    "/{name}/predict",
    response_model=PredictResponse,
    summary="Predict: records in; predictions, probabilities, model version, prediction ids out",
)
async def predict(name: str, body: PredictRequest, actor: CurrentActor, services: ServicesDep):
    deployments = services.deployments
    small = len(body.records) <= INLINE_RECORDS and not body.explain
    if small and deployments.is_warm(actor, name):  # compiled and cached: well under 1 ms
        result = deployments.predict(actor, name, body.records, routing_key=body.routing_key)
    else:  # may load a model, query the DB, explain or score many rows: off the event loop
        result = await run_in_threadpool(
            deployments.predict,
            actor,
            name,
            body.records,
            routing_key=body.routing_key,
            explain=body.explain,
            top_k=body.top_k,
        )
    # PredictionResult has PredictResponse's fields: serialise once, skip re-validation
    return Response(result.model_dump_json(), media_type="application/json")


@router.get(
    "/{name}/traffic",
    response_model=DeploymentRevisionRead,
    summary="The endpoint's current arms, weights and canary",
)
def get_traffic(name: str, actor: CurrentActor, services: ServicesDep):
    return services.traffic.current(actor, name)


@router.put(
    "/{name}/traffic",
    response_model=DeploymentRevisionRead,
    summary="Serve these arms (versions, weights, shadow) from now on",
)
def set_traffic(name: str, body: TrafficUpdate, actor: CurrentActor, services: ServicesDep):
    arms = [arm.to_arm() for arm in body.arms]
    return services.traffic.set_traffic(actor, name, arms, note=body.note)


@router.post("/{name}/canary", response_model=DeploymentRevisionRead, summary="Start a canary")
def start_canary(name: str, body: CanaryStart, actor: CurrentActor, services: ServicesDep):
    return services.traffic.start_canary(
        actor, name, body.model_version_id, steps=body.steps, note=body.note
    )


@router.post(
    "/{name}/canary/advance",
    response_model=DeploymentRevisionRead,
    summary="Raise the canary to its next step",
)
def advance_canary(
    name: str, actor: CurrentActor, services: ServicesDep, body: TrafficNote | None = None
):
    return services.traffic.advance_canary(actor, name, note=body.note if body else "")


@router.post(
    "/{name}/canary/abort",
    response_model=DeploymentRevisionRead,
    summary="Stop the canary; the arms before it serve again",
)
def abort_canary(
    name: str, actor: CurrentActor, services: ServicesDep, body: TrafficNote | None = None
):
    return services.traffic.abort_canary(actor, name, note=body.note if body else "")


@router.post(
    "/{name}/rollback",
    response_model=DeploymentRevisionRead,
    summary="Re-apply the previous configuration (as a new revision)",
)
def rollback(
    name: str, actor: CurrentActor, services: ServicesDep, body: TrafficNote | None = None
):
    return services.traffic.rollback(actor, name, note=body.note if body else "")


@router.get(
    "/{name}/history",
    response_model=list[DeploymentRevisionRead],
    summary="Every revision, newest first: arms, who, when, why, approvals",
)
def history(name: str, actor: CurrentActor, services: ServicesDep):
    return services.traffic.history(actor, name)


@router.get(
    "/{name}/served-at",
    response_model=DeploymentRevisionRead,
    summary="The revision (and versions) live at a time",
)
def served_at(
    name: str,
    actor: CurrentActor,
    services: ServicesDep,
    at: datetime = Query(description="ISO 8601 time; UTC when no zone is given."),
):
    return services.traffic.served_at(actor, name, at)


@router.get(
    "/{name}/traffic-stats",
    response_model=TrafficStatsRead,
    summary="Request rate, p50/p95 latency and errors per version over a window",
)
def traffic_stats(
    name: str,
    actor: CurrentActor,
    services: ServicesDep,
    window_s: float = Query(default=300, gt=0, description="Window in seconds."),
):
    return services.traffic.traffic_stats(actor, name, window_s)
