"""Bodies of the endpoint traffic API: arms and weights, canary, rollback, history, stats."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from modelyard.domain.traffic import (
    DEFAULT_CANARY_STEPS,
    Arm,
    ArmRole,
    DeploymentRevision,
    TrafficStats,
)


class ArmWrite(BaseModel):
    model_version_id: int
    weight: int = Field(default=0, description="Share of live requests, 0-100 (0 for shadow).")
    role: ArmRole = Field(
        default=ArmRole.LIVE,
        description="live (answers requests by weight) or shadow (sees copies; never answers).",
    )

    def to_arm(self) -> Arm:
        return Arm(model_version_id=self.model_version_id, weight=self.weight, role=self.role)


class TrafficUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "arms": [
                    {"model_version_id": 1, "weight": 80},
                    {"model_version_id": 2, "weight": 20},
                    {"model_version_id": 3, "role": "shadow"},
                ],
                "note": "A/B test of the retrained model",
            }
        }
    )

    arms: list[ArmWrite] = Field(description="Live weights sum to 100; at most one shadow arm.")
    note: str = Field(default="", description="Why: kept in the endpoint's history.")


class CanaryStart(BaseModel):
    model_version_id: int = Field(description="The new version to bring in step by step.")
    steps: list[int] = Field(
        default=list(DEFAULT_CANARY_STEPS),
        description="Rising weights of the new version, ending at 100.",
    )
    note: str = ""


class TrafficNote(BaseModel):
    note: str = Field(default="", description="Why: kept in the endpoint's history.")


class DeploymentRevisionRead(DeploymentRevision):
    pass


class TrafficStatsRead(TrafficStats):
    pass


__all__ = [
    "ArmWrite",
    "CanaryStart",
    "DeploymentRevisionRead",
    "TrafficNote",
    "TrafficStatsRead",
    "TrafficUpdate",
]
