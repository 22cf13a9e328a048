from __future__ import annotations

from fastapi import APIRouter

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import ModelVersionCreate, ModelVersionRead
from modelyard.domain import Page

router = APIRouter(prefix="/models", tags=["models"])


@router.post(
    "",
    response_model=ModelVersionRead,
    status_code=201,
    summary="Register a run's model in the registry",
)
def register_model(body: ModelVersionCreate, actor: CurrentActor, services: ServicesDep):
    return services.models.register(actor, body.run_id, name=body.name)


@router.get("", response_model=Page[ModelVersionRead], summary="Registered model versions")
def list_models(
    actor: CurrentActor,
    services: ServicesDep,
    project_id: int | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.models.list(actor, project_id=project_id, offset=offset, limit=limit)


@router.get(
    "/{model_version_id}", response_model=ModelVersionRead, summary="One registered model version"
)
def get_model(model_version_id: int, actor: CurrentActor, services: ServicesDep):
    return services.models.get(actor, model_version_id)
