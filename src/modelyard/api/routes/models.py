from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import ModelVersionCreate, ModelVersionRead
from modelyard.api.schemas.schedules import VersionComparisonRead
from modelyard.domain import Page
from modelyard.errors import InvalidInputError
from modelyard.services.model_exports import ModelFile

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
    "/compare",
    response_model=VersionComparisonRead,
    summary="Model versions side by side: metrics, parameters, data, stage, card",
)
def compare_models(
    actor: CurrentActor,
    services: ServicesDep,
    ids: str = Query(description="Comma-separated model version ids, e.g. 1,2"),
):
    return services.models.compare(actor, parse_ids(ids))


@router.get(
    "/{model_version_id}/download",
    response_class=StreamingResponse,
    summary="The MLflow model directory and model card as a zip (runs under mlflow models serve)",
)
def download_model(model_version_id: int, actor: CurrentActor, services: ServicesDep):
    return file_response(services.model_exports.download(actor, model_version_id))


@router.get(
    "/{model_version_id}/onnx",
    response_class=StreamingResponse,
    summary="The model as ONNX, verified with onnxruntime; 422 when a step cannot convert",
)
def export_onnx(model_version_id: int, actor: CurrentActor, services: ServicesDep):
    return file_response(services.model_exports.onnx(actor, model_version_id))


@router.get(
    "/{model_version_id}", response_model=ModelVersionRead, summary="One registered model version"
)
def get_model(model_version_id: int, actor: CurrentActor, services: ServicesDep):
    return services.models.get(actor, model_version_id)


def parse_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInputError(
            f"ids must be comma-separated model version ids such as 1,2, not {text!r}.",
            code="model.bad_ids",
        ) from exc


def file_response(file: ModelFile) -> StreamingResponse:
    chunks = (file.content[i : i + (1 << 20)] for i in range(0, len(file.content), 1 << 20))
    headers = {
        "Content-Disposition": f'attachment; filename="{file.filename}"',
        "Content-Length": str(file.size_bytes),
    }
    return StreamingResponse(chunks, media_type=file.media_type, headers=headers)
