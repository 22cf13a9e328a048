from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from modelyard.api.deps import CurrentActor, ServicesDep
from modelyard.api.schemas import JobRead

router = APIRouter(tags=["scoring"])


class ScoringCreate(BaseModel):
    model_version_id: int
    dataset_version_id: int


@router.post(
    "/scoring-jobs",
    response_model=JobRead,
    status_code=202,
    summary="Score a dataset version with a model version, in chunks, as a job",
)
def start_scoring(body: ScoringCreate, actor: CurrentActor, services: ServicesDep):
    return services.scoring.start(actor, body.model_version_id, body.dataset_version_id)


@router.get(
    "/scoring-jobs/{job_id}/scores",
    response_class=StreamingResponse,
    summary="Download the scores of a finished scoring job (CSV or Parquet)",
)
def download_scores(
    job_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    format: str = Query(default="csv", description="csv or parquet"),  # noqa: A002
) -> StreamingResponse:
    chunks = services.scoring.export(actor, job_id, format)
    media = "text/csv" if format == "csv" else "application/vnd.apache.parquet"
    headers = {"Content-Disposition": f'attachment; filename="scores-{job_id}.{format}"'}
    return StreamingResponse(chunks, media_type=media, headers=headers)
