"""A/B tests of two model versions on an endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas.ab_tests import (
    ABTestCreate,
    ABTestRead,
    ABTestResultsRead,
    PromoteWinner,
)
from modelyard.domain import Page
from modelyard.domain.ab_tests import ABTestStatus

router = APIRouter(prefix="/ab-tests", tags=["ab-tests"])


@router.post("", response_model=ABTestRead, status_code=201, summary="Start an A/B test")
def create_test(body: ABTestCreate, actor: CurrentActor, services: ServicesDep):
    return services.ab_tests.create(
        actor,
        body.endpoint,
        body.control_version_id,
        body.treatment_version_id,
        metric=body.metric,
        name=body.name,
        alpha=body.alpha,
        min_samples=body.min_samples,
        treatment_share=body.treatment_share,
        route=body.route,
    )


@router.get("", response_model=Page[ABTestRead], summary="List A/B tests")
def list_tests(
    actor: CurrentActor,
    services: ServicesDep,
    endpoint: Annotated[str | None, Query(description="Only tests on this endpoint")] = None,
    status: ABTestStatus | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.ab_tests.list(
        actor, endpoint=endpoint, status=status, offset=offset, limit=limit
    )


@router.get("/{test_id}", response_model=ABTestRead, summary="One A/B test")
def get_test(test_id: int, actor: CurrentActor, services: ServicesDep):
    return services.ab_tests.get(actor, test_id)


@router.get(
    "/{test_id}/results",
    response_model=ABTestResultsRead,
    summary="Per-arm metrics, always-valid p-value, recommendation, metric over time",
)
def test_results(test_id: int, actor: CurrentActor, services: ServicesDep):
    return services.ab_tests.results(actor, test_id)


@router.post("/{test_id}/stop", response_model=ABTestRead, summary="Stop an A/B test")
def stop_test(test_id: int, actor: CurrentActor, services: ServicesDep):
    return services.ab_tests.stop(actor, test_id)


@router.post(
    "/{test_id}/promote-winner",
    response_model=ABTestRead,
    summary="Ask for the winner's promotion (a pending approval request)",
)
def promote_winner(
    test_id: int, actor: CurrentActor, services: ServicesDep, body: PromoteWinner | None = None
):
    body = body or PromoteWinner()
    return services.ab_tests.promote_winner(actor, test_id, note=body.note, stage=body.stage)
