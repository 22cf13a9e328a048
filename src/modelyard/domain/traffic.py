"""Traffic between model versions behind one endpoint: arms, weighted routing, canary plans.

Pure: no I/O. An endpoint's configuration is a list of arms; live arms share 100 % of the
requests by weight, at most one shadow arm sees copies of them (its answers are logged,
never returned). A canary raises a new version's weight step by step (e.g. 5, 25, 50,
100) over the baseline arms, and can be aborted back to the baseline at any step.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modelyard.errors import ConflictError, InvalidInputError

DEFAULT_CANARY_STEPS = (5, 25, 50, 100)


class ArmRole(StrEnum):
    LIVE = "live"
    SHADOW = "shadow"


class Arm(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_version_id: int
    weight: int = Field(default=0, description="Share of live requests, 0-100 (0 for shadow).")
    role: ArmRole = ArmRole.LIVE


class CanaryState(BaseModel):
    """A canary in progress: ``steps[step]`` is the canary version's current weight."""

    model_config = ConfigDict(frozen=True)

    model_version_id: int
    steps: list[int]
    step: int = 0
    baseline: list[Arm] = Field(description="The arms before the canary started.")

    @property
    def weight(self) -> int:
        return self.steps[self.step]

    @property
    def is_last_step(self) -> bool:
        return self.step >= len(self.steps) - 1


def validate_arms(arms: Sequence[Arm]) -> list[Arm]:
    """Arms an endpoint can serve: live weights sum to 100, one shadow at most, no duplicates."""
    arms = list(arms)
    live = [a for a in arms if a.role == ArmRole.LIVE]
    shadows = [a for a in arms if a.role == ArmRole.SHADOW]
    if not live:
        raise InvalidInputError(
            "An endpoint needs at least one live arm (a model version with a weight).",
            code="traffic.no_live_arm",
        )
    if len(shadows) > 1:
        raise InvalidInputError(
            "At most one shadow arm: pick the one challenger that should see copies of requests.",
            code="traffic.many_shadows",
        )
    ids = [a.model_version_id for a in arms]
    if len(set(ids)) != len(ids):
        raise InvalidInputError(
            "A model version appears twice; give each version one arm.",
            code="traffic.duplicate_version",
        )
    if any(not 0 <= a.weight <= 100 for a in live):
        raise InvalidInputError("Weights are whole numbers from 0 to 100.", code="traffic.weight")
    total = sum(a.weight for a in live)
    if total != 100:
        raise InvalidInputError(
            f"Live weights sum to {total}; make them sum to 100.",
            code="traffic.weights_sum",
            details={"sum": total},
        )
    return [a if a.role == ArmRole.LIVE else a.model_copy(update={"weight": 0}) for a in arms]


def pick_arm(arms: Sequence[Arm], routing_key: str | None = None, rng: Any = None) -> Arm:
    """The live arm that answers: sticky for a routing key (hashing), else weighted random."""
    live = [a for a in arms if a.role == ArmRole.LIVE and a.weight > 0]
    if routing_key is not None:
        digest = hashlib.sha256(routing_key.encode()).digest()
        point = int.from_bytes(digest[:8], "big") % 10_000 / 100
    else:
        point = (rng or random).random() * 100
    cumulative = 0
    for arm in live:
        cumulative += arm.weight
        if point < cumulative:
            return arm
    return live[-1]


def shadow_arm(arms: Sequence[Arm]) -> Arm | None:
    return next((a for a in arms if a.role == ArmRole.SHADOW), None)


def primary_arm(arms: Sequence[Arm]) -> Arm:
    """The live arm with the most weight (the endpoint's headline version)."""
    return max((a for a in arms if a.role == ArmRole.LIVE), key=lambda a: a.weight)


def check_steps(steps: Sequence[int]) -> list[int]:
    steps = list(steps)
    if not steps or any(not 0 < s <= 100 for s in steps) or steps != sorted(set(steps)):
        raise InvalidInputError(
            "Canary steps are rising percentages from 1 to 100, e.g. 5,25,50,100.",
            code="traffic.bad_steps",
        )
    if steps[-1] != 100:
        steps.append(100)
    return steps


def start_canary(arms: Sequence[Arm], model_version_id: int, steps: Sequence[int]) -> CanaryState:
    if any(a.model_version_id == model_version_id and a.role == ArmRole.LIVE for a in arms):
        raise ConflictError(
            "This version already takes live traffic; a canary brings in a new version.",
            code="traffic.canary_already_live",
        )
    baseline = [a for a in arms if a.model_version_id != model_version_id]
    return CanaryState(
        model_version_id=model_version_id, steps=check_steps(steps), baseline=baseline
    )


def advance(state: CanaryState) -> CanaryState:
    if state.is_last_step:
        raise ConflictError("The canary is at 100 % already.", code="traffic.canary_done")
    return state.model_copy(update={"step": state.step + 1})


def canary_arms(state: CanaryState) -> list[Arm]:
    """The arms at the canary's current step: baseline live weights scaled to the rest."""
    if state.weight >= 100:
        shadow = [
            a
            for a in state.baseline
            if a.role == ArmRole.SHADOW and a.model_version_id != state.model_version_id
        ]
        return [Arm(model_version_id=state.model_version_id, weight=100), *shadow]
    live = [a for a in state.baseline if a.role == ArmRole.LIVE]
    rest = 100 - state.weight
    total = sum(a.weight for a in live) or 1
    shares = [a.weight * rest / total for a in live]
    weights = [int(s) for s in shares]
    order = sorted(range(len(live)), key=lambda i: shares[i] - weights[i], reverse=True)
    for i in order[: rest - sum(weights)]:
        weights[i] += 1  # largest remainder: the weights still sum to 100
    scaled = [a.model_copy(update={"weight": w}) for a, w in zip(live, weights, strict=True)]
    others = [a for a in state.baseline if a.role == ArmRole.SHADOW]
    return [*scaled, Arm(model_version_id=state.model_version_id, weight=state.weight), *others]


class ArmApproval(BaseModel):
    """Who let a version into its stage, and why (the approved promotion request)."""

    model_config = ConfigDict(frozen=True)

    request_id: int
    target_stage: str
    requested_by: str
    note: str
    approvers: list[str]
    comments: list[str]
    decided_at: datetime | None = None


class ArmInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_version_id: int
    model_name: str
    model_version: int
    weight: int
    role: ArmRole
    approval: ArmApproval | None = None


class DeploymentRevision(BaseModel):
    """One immutable configuration of an endpoint."""

    model_config = ConfigDict(frozen=True)

    id: int
    deployment_id: int
    endpoint: str
    revision: int
    arms: list[ArmInfo]
    canary: CanaryState | None = None
    action: str
    note: str
    created_by: str
    created_at: datetime


class ArmStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_version_id: int
    role: ArmRole
    requests: int
    rate_per_s: float
    p50_latency_ms: float | None
    p95_latency_ms: float | None
    errors: int


class TrafficStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    endpoint: str
    window_s: float
    at: datetime
    arms: list[ArmStats]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0-100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return float(ordered[int(rank) - 1])


__all__ = [
    "DEFAULT_CANARY_STEPS",
    "Arm",
    "ArmApproval",
    "ArmInfo",
    "ArmRole",
    "ArmStats",
    "CanaryState",
    "DeploymentRevision",
    "TrafficStats",
    "advance",
    "canary_arms",
    "check_steps",
    "percentile",
    "pick_arm",
    "primary_arm",
    "shadow_arm",
    "start_canary",
    "validate_arms",
]
