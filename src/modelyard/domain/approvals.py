"""Maker-checker promotion rules (pure).

A maker (editor) asks for a model version to be promoted to staging or production; a
checker (approver) who is not the maker decides. A policy per stage says how many
approvals are needed and which checks must pass first: metric thresholds on the hold-out,
model card fields filled, and a score on a chosen validation dataset version.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from modelyard.domain.actors import Actor
from modelyard.errors import ConflictError, InvalidInputError, PermissionDeniedError

LOWER_IS_BETTER = frozenset({"rmse", "mae", "mse", "mape", "log_loss"})
CARD_FIELDS = (
    "intended_use",
    "limitations",
    "ethical_considerations",
    "training_data",
    "evaluation",
)


class Stage(StrEnum):
    NONE = "none"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Policy(BaseModel):
    """What a promotion to ``stage`` needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Stage
    min_approvals: int = Field(default=1, ge=1, le=5)
    metric_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Metric -> bound on the hold-out: a minimum, or a maximum for error "
        "metrics (rmse, mae, mse, mape, log_loss).",
    )
    required_card_fields: list[str] = Field(default_factory=list)
    validation_dataset_version_id: int | None = Field(
        default=None, description="Score the model on this dataset version before approval."
    )


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    is_passed: bool
    detail: str


def promotable(stage: Stage) -> Stage:
    if stage not in (Stage.STAGING, Stage.PRODUCTION):
        raise InvalidInputError(
            "A model version can be promoted to 'staging' or 'production'.",
            code="approval.bad_stage",
        )
    return stage


def metric_check(name: str, bound: float, value: float | None) -> CheckResult:
    if value is None:
        return CheckResult(name=f"metric {name}", is_passed=False, detail=f"the run has no {name}")
    if name in LOWER_IS_BETTER:
        return CheckResult(
            name=f"metric {name}",
            is_passed=value <= bound,
            detail=f"{value:.4g} (at most {bound:g})",
        )
    return CheckResult(
        name=f"metric {name}", is_passed=value >= bound, detail=f"{value:.4g} (at least {bound:g})"
    )


def card_check(fields: list[str], card: dict[str, str]) -> list[CheckResult]:
    return [
        CheckResult(
            name=f"model card: {field}",
            is_passed=bool(str(card.get(field, "")).strip()),
            detail="filled" if str(card.get(field, "")).strip() else "empty",
        )
        for field in fields
    ]


def check_decider(
    actor: Actor, *, maker_id: int, decided_by: list[int], status: RequestStatus
) -> None:
    """The maker-checker rule: a pending request, decided once by each approver, never the maker."""
    if status is not RequestStatus.PENDING:
        raise ConflictError(f"This request is already {status}.", code="approval.decided")
    if actor.user_id == maker_id:
        raise PermissionDeniedError(
            "You asked for this promotion; another approver must decide it (maker-checker).",
            code="approval.maker_cannot_decide",
        )
    if actor.user_id in decided_by:
        raise ConflictError(
            "You have already decided on this request.", code="approval.already_decided"
        )
