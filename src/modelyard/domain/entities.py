"""What services return: immutable snapshots, never ORM rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from modelyard.domain.actors import Role
from modelyard.domain.jobs import JobKind, JobStatus
from modelyard.domain.projects import Objective, ProjectStatus

T = TypeVar("T")


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` plus what is needed to fetch the next one."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int = Field(description="Items matching the query, over all pages.")
    offset: int
    limit: int


class User(Entity):
    id: int
    username: str
    role: Role
    workspace_id: int
    is_active: bool
    created_at: datetime


class ApiToken(Entity):
    id: int
    name: str
    prefix: str = Field(description="First characters of the token, to recognise it.")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class IssuedToken(Entity):
    """A freshly issued token: the only time the secret is shown."""

    token: str
    info: ApiToken
    user: User


class AuditEvent(Entity):
    id: int
    workspace_id: int
    actor_id: int | None
    actor_name: str
    action: str
    resource_type: str
    resource_id: str
    details: dict[str, Any]
    created_at: datetime


class Project(Entity):
    id: int
    name: str
    description: str
    status: ProjectStatus
    objective: Objective
    created_by: str
    created_at: datetime
    updated_at: datetime


class ColumnSchema(Entity):
    name: str
    dtype: str = Field(description="Arrow type of the column as stored in Parquet.")
    kind: str = Field(description="numeric, integer, boolean, categorical, datetime or text.")
    missing: int


class DatasetVersion(Entity):
    id: int
    dataset_id: int
    parent_version_id: int | None = None
    version: int
    content_hash: str
    n_rows: int
    n_columns: int
    size_bytes: int
    columns: list[ColumnSchema]
    source: dict[str, Any]
    created_by: str
    created_at: datetime


class ColumnInfo(Entity):
    """A data dictionary entry: what a column means."""

    description: str = Field(default="", max_length=2000)
    unit: str = Field(default="", max_length=100)
    role: str = Field(
        default="", max_length=50, description="feature, target, identifier, timestamp, ignore..."
    )


class Dataset(Entity):
    id: int
    name: str
    description: str
    dictionary: dict[str, ColumnInfo] = Field(default_factory=dict)
    project_id: int | None
    created_by: str
    created_at: datetime
    latest_version: DatasetVersion | None = None


class JobLogLine(Entity):
    at: datetime
    level: str
    message: str


class Job(Entity):
    id: int
    kind: JobKind
    status: JobStatus
    params: dict[str, Any]
    progress: float = Field(description="0.0 to 1.0.")
    message: str
    result: dict[str, Any] | None
    error_code: str | None
    error_message: str | None
    project_id: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    is_cancel_requested: bool


class Run(Entity):
    """One training run: an MLflow run with its evaluation."""

    id: int
    job_id: int
    project_id: int | None
    dataset_version_id: int
    target: str
    task: str
    algorithm: str
    metrics: dict[str, float]
    params: dict[str, Any]
    mlflow_run_id: str
    model_uri: str
    feature_columns: list[ColumnSchema]
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="The search: metric, validation, leaderboard (every trial with its "
        "validation score, fit time, latency and size), confusion matrix, notes.",
    )
    created_by: str
    created_at: datetime


class ModelVersion(Entity):
    id: int
    name: str = Field(description="Registered model name in the MLflow registry.")
    version: int
    run_id: int
    project_id: int | None
    task: str
    metrics: dict[str, float]
    feature_columns: list[ColumnSchema]
    classes: list[Any] | None
    mlflow_uri: str
    stage: str = "none"
    card: dict[str, Any] = Field(default_factory=dict)
    created_by: str
    created_at: datetime


class Deployment(Entity):
    id: int
    name: str
    stage: str = Field(
        default="development",
        description="development (any version), staging (staging or production versions) or "
        "production (production versions only).",
    )
    model_version_id: int
    model_name: str
    model_version: int
    project_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class PredictionResult(Entity):
    prediction_ids: list[str]
    predictions: list[Any]
    probabilities: list[dict[str, float]] | None
    model_name: str
    model_version: int
    latency_ms: float
    contributions: list[dict[str, float]] | None = None  # per record, top k (explain)


class ColumnChange(Entity):
    name: str
    change: str = Field(description="added, removed, type_changed or changed")
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class VersionDiff(Entity):
    """What changed from one dataset version to another."""

    before_id: int
    after_id: int
    rows_before: int
    rows_after: int
    columns: list[ColumnChange]


class Lineage(Entity):
    """Where a version came from (its ancestors, newest first) and which runs used it."""

    version: DatasetVersion
    ancestors: list[DatasetVersion]
    run_ids: list[int]


class QueryResult(Entity):
    columns: list[str]
    rows: list[dict[str, Any]]
    total_rows: int
    offset: int
    limit: int
    elapsed_ms: float


class SavedQuery(Entity):
    id: int
    sql: str
    name: str | None
    is_saved: bool
    status: str
    error: str | None
    row_count: int | None
    elapsed_ms: float | None
    created_at: datetime


class ConnectionInfo(Entity):
    """A saved database connection; the URL is shown with its password hidden."""

    id: int
    name: str
    url_display: str
    url_env_var: str | None
    created_by: str
    created_at: datetime


class ProfileSummary(Entity):
    """A profile of a dataset version; ``profile`` holds the full content when asked for."""

    id: int
    dataset_version_id: int
    job_id: int
    target: str | None
    quality_score: float
    created_by: str
    created_at: datetime
    profile: dict[str, Any] | None = None


class PromotionDecision(Entity):
    approver: str
    is_approved: bool
    comment: str
    created_at: datetime


class PromotionRequest(Entity):
    """A maker's request to promote a model version, the checks, and the checkers' decisions."""

    id: int
    model_version_id: int
    model_name: str
    model_version: int
    target_stage: str
    note: str
    status: str
    required_approvals: int
    checks: list[dict[str, Any]]
    requested_by: str
    created_at: datetime
    decided_at: datetime | None
    decisions: list[PromotionDecision]


class FeedbackRecord(Entity):
    id: int
    prediction_id: str
    model_version_id: int
    actual: dict[str, Any] = Field(description='{"value": the true label or value}')
    created_by: str
    created_at: datetime


class VersionMetrics(Entity):
    """Live numbers of one model version behind an endpoint, from logged feedback."""

    model_version_id: int
    model_name: str
    model_version: int
    n_predictions: int
    n_feedback: int
    metrics: dict[str, float]
