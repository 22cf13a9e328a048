from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.domain import Page
from modelyard.domain.approvals import Policy, RequestStatus, Stage
from modelyard.domain.entities import PromotionRequest

router = APIRouter(tags=["approvals"])


class PromotionCreate(BaseModel):
    stage: Stage = Field(description="staging or production")
    note: str = Field(default="", max_length=5000, description="Why this version should go.")


class Decision(BaseModel):
    comment: str = Field(default="", max_length=5000)


class CardUpdate(BaseModel):
    fields: dict[str, str] = Field(
        description="intended_use, limitations, ethical_considerations, training_data, evaluation",
        examples=[{"intended_use": "Rank customers to call first", "limitations": "EU only"}],
    )


@router.put(
    "/models/{model_version_id}/card", response_model=dict[str, str], summary="Edit the model card"
)
def update_card(
    model_version_id: int, body: CardUpdate, actor: CurrentActor, services: ServicesDep
):
    return services.approvals.update_card(actor, model_version_id, body.fields)


@router.post(
    "/models/{model_version_id}/promotions",
    response_model=PromotionRequest,
    status_code=201,
    summary="Ask for a promotion to staging or production (the maker)",
)
def request_promotion(
    model_version_id: int, body: PromotionCreate, actor: CurrentActor, services: ServicesDep
):
    return services.approvals.request(actor, model_version_id, body.stage, note=body.note)


@router.get(
    "/approvals", response_model=Page[PromotionRequest], summary="The approvals inbox and history"
)
def list_requests(
    actor: CurrentActor,
    services: ServicesDep,
    status: RequestStatus | None = None,
    model_version_id: Annotated[
        int | None, Query(description="Only the requests for this model version")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.approvals.list(
        actor, status=status, model_version_id=model_version_id, offset=offset, limit=limit
    )


@router.get(
    "/approvals/{request_id}", response_model=PromotionRequest, summary="One promotion request"
)
def get_request(request_id: int, actor: CurrentActor, services: ServicesDep):
    return services.approvals.get(actor, request_id)


@router.post(
    "/approvals/{request_id}/approve",
    response_model=PromotionRequest,
    summary="Approve (a checker, not the maker)",
)
def approve(request_id: int, body: Decision, actor: CurrentActor, services: ServicesDep):
    return services.approvals.decide(actor, request_id, approve=True, comment=body.comment)


@router.post(
    "/approvals/{request_id}/reject",
    response_model=PromotionRequest,
    summary="Reject (a checker, not the maker)",
)
def reject(request_id: int, body: Decision, actor: CurrentActor, services: ServicesDep):
    return services.approvals.decide(actor, request_id, approve=False, comment=body.comment)


@router.post(
    "/approvals/{request_id}/withdraw",
    response_model=PromotionRequest,
    summary="Withdraw (the maker)",
)
def withdraw(request_id: int, actor: CurrentActor, services: ServicesDep):
    return services.approvals.withdraw(actor, request_id)


@router.get(
    "/approval-policies/{stage}", response_model=Policy, summary="What a promotion to a stage needs"
)
def get_policy(stage: Stage, actor: CurrentActor, services: ServicesDep):
    return services.approvals.get_policy(actor, stage)


@router.put(
    "/approval-policies/{stage}",
    response_model=Policy,
    summary="Set what a promotion needs (admins)",
)
def set_policy(stage: Stage, body: Policy, actor: CurrentActor, services: ServicesDep):
    return services.approvals.set_policy(actor, body.model_copy(update={"stage": stage}))
