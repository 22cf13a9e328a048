from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from modelyard.api.deps import CurrentActor, ServicesDep
from modelyard.domain.entities import FeedbackRecord, VersionMetrics

router = APIRouter(tags=["feedback"])

ACTUAL = (
    "The true outcome: the label (classification), a number (regression), 1/0 or "
    "true/false (anomaly: 1 is an anomaly). Clustering models take no feedback (422)."
)


class FeedbackCreate(BaseModel):
    actual: Any = Field(description=ACTUAL)


class FeedbackItem(BaseModel):
    prediction_id: str = Field(description="The id the endpoint answered with.")
    actual: Any = Field(description=ACTUAL)


class FeedbackBulk(BaseModel):
    items: list[FeedbackItem] = Field(description="All are stored, or none when any is wrong.")


@router.post(
    "/predictions/{prediction_id}/feedback",
    response_model=FeedbackRecord,
    status_code=201,
    summary="The true outcome of one prediction",
)
def record_feedback(
    prediction_id: str, body: FeedbackCreate, actor: CurrentActor, services: ServicesDep
):
    return services.feedback.record(actor, prediction_id, body.actual)


@router.post(
    "/feedback", response_model=list[FeedbackRecord], status_code=201, summary="Feedback in bulk"
)
def record_bulk(body: FeedbackBulk, actor: CurrentActor, services: ServicesDep):
    return services.feedback.record_many(actor, [item.model_dump() for item in body.items])


@router.get(
    "/endpoints/{name}/metrics",
    response_model=list[VersionMetrics],
    summary="Live metrics per model version behind an endpoint, from feedback",
)
def endpoint_metrics(name: str, actor: CurrentActor, services: ServicesDep):
    return services.feedback.metrics(actor, name)
