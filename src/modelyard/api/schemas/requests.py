from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modelyard.domain import Objective, ProjectStatus, Role
from modelyard.domain.training import TrainingOptions


class UserCreate(BaseModel):
    username: str
    password: str
    role: Role = Role.EDITOR


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    objective: Objective = Field(default_factory=Objective)


class ProjectUpdate(BaseModel):
    description: str | None = Field(default=None, max_length=10_000)
    status: ProjectStatus | None = None
    objective: Objective | None = None


class TrainingCreate(BaseModel):
    dataset_version_id: int
    target: str = Field(
        default="",
        description="The column to predict; optional (a label column) for the tasks "
        "clustering and anomaly.",
    )
    project_id: int | None = None
    options: TrainingOptions = Field(
        default_factory=TrainingOptions,
        description="AutoML search settings: time budget, metric, validation, families, limits.",
    )


class ModelVersionCreate(BaseModel):
    run_id: int
    name: str | None = Field(
        default=None, description="Registered model name; default: <dataset>-<target>."
    )


class DeploymentCreate(BaseModel):
    name: str = Field(description="Endpoint name: lowercase letters, digits and '-'.")
    model_version_id: int
    stage: str = Field(
        default="development",
        description="development (any version), staging or production (approved versions only).",
    )


class DeploymentUpdate(BaseModel):
    model_version_id: int


class PredictRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"records": [{"age": 42, "city": "Oslo"}]}}
    )

    records: list[dict[str, Any]] = Field(
        description="Rows to predict: one object per row with every feature of the model."
    )
    routing_key: str | None = Field(
        default=None,
        description="Sticky routing: requests with the same key reach the same version.",
    )
    explain: bool = Field(
        default=False, description="Also return each record's top feature contributions (SHAP)."
    )
    top_k: int = Field(default=5, ge=1, le=1000, description="Contributions per record.")


class PredictResponse(BaseModel):
    predictions: list[Any]
    probabilities: list[dict[str, float]] | None = Field(
        default=None, description="Per class probability for classification models."
    )
    prediction_ids: list[str] = Field(description="Ids to send feedback (true outcomes) for.")
    model_name: str
    model_version: int
    latency_ms: float
    contributions: list[dict[str, float]] | None = Field(
        default=None,
        description="With explain: per record, input column -> contribution to the model's "
        "raw score (log-odds for classifiers), the top_k by absolute value.",
    )
