from __future__ import annotations

from fastapi import APIRouter, Response
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
        result = deployments.predict(actor, name, body.records)
    else:  # may load a model, query the DB, explain or score many rows: off the event loop
        result = await run_in_threadpool(
            deployments.predict, actor, name, body.records, explain=body.explain, top_k=body.top_k
        )
    # PredictionResult has PredictResponse's fields: serialise once, skip re-validation
    return Response(result.model_dump_json(), media_type="application/json")
