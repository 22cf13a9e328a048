"""Projects: a modelling goal and where it stands."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    EXPLORING = "exploring"
    TRAINING = "training"
    IN_REVIEW = "in_review"
    IN_PRODUCTION = "in_production"
    RETIRED = "retired"


class Objective(BaseModel):
    """The objective questionnaire: what the model is for and how it will be judged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: str = Field(
        default="", max_length=2000, description="What decision the model supports."
    )
    target: str = Field(default="", max_length=200, description="The column to predict.")
    success_metric: str = Field(default="", max_length=200, description="How success is measured.")
    constraints: str = Field(
        default="", max_length=2000, description="Latency, interpretability, fairness, ..."
    )
