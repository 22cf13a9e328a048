"""Request and response bodies of /api/v1/ab-tests."""

from __future__ import annotations

from pydantic import BaseModel, Field

from modelyard.domain.ab_tests import ABMetric
from modelyard.domain.ab_tests import ABTest as ABTestRead
from modelyard.domain.ab_tests import ABTestResults as ABTestResultsRead
from modelyard.domain.approvals import Stage

__all__ = ["ABTestCreate", "ABTestRead", "ABTestResultsRead", "PromoteWinner"]


class ABTestCreate(BaseModel):
    endpoint: str = Field(min_length=1, description="The endpoint (deployment) name.")
    control_version_id: int = Field(description="Model version A, usually the one serving now.")
    treatment_version_id: int = Field(description="Model version B, the challenger.")
    metric: ABMetric | None = Field(
        default=None,
        description="accuracy or conversion (classification); mae, rmse or conversion "
        "(regression). Default: accuracy / mae.",
    )
    name: str | None = Field(default=None, max_length=200)
    alpha: float = Field(default=0.05, description="False-positive rate, valid at any look.")
    min_samples: int = Field(
        default=100, description="Predictions with feedback per arm before a winner is named."
    )
    treatment_share: float = Field(
        default=0.5, description="Share of the endpoint's live traffic for B (between 0 and 1)."
    )
    route: bool = Field(
        default=True,
        description="Split the endpoint's traffic between A and B now (a new deployment "
        "revision; both versions must be servable there). False: record the split only.",
    )


class PromoteWinner(BaseModel):
    note: str = Field(default="", max_length=5000, description="Why the winner should go.")
    stage: Stage | None = Field(
        default=None,
        description="staging or production; default: the endpoint's stage (staging for a "
        "development endpoint).",
    )
