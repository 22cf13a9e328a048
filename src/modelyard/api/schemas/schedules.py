"""Bodies of /api/v1/schedules and the model comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from modelyard.domain.comparison import VersionComparison
from modelyard.domain.schedules import Schedule


class ScheduleCreate(BaseModel):
    name: str = Field(description="Unique in the workspace, e.g. 'nightly churn scores'.")
    cron: str = Field(description="Five-field cron expression ('0 6 * * *') or '@daily'.")
    timezone: str = Field(default="UTC", description="IANA time zone the cron is read in.")
    dataset_version_id: int = Field(description="The dataset version to score each time.")
    model_version_id: int | None = Field(
        default=None, description="The model version to score with (or name an endpoint)."
    )
    endpoint: str | None = Field(
        default=None, description="Score with the version this endpoint serves at run time."
    )
    format: Literal["csv", "parquet"] = Field(default="csv", description="Output format.")
    is_enabled: bool = True


class ScheduleUpdate(BaseModel):
    is_enabled: bool | None = Field(default=None, description="Enable or disable.")


class ScheduleRead(Schedule):
    pass


class SchedulePreview(BaseModel):
    cron: str
    timezone: str
    next_runs: list[datetime] = Field(description="The next fire times, in UTC.")


class VersionComparisonRead(VersionComparison):
    pass


__all__ = [
    "SchedulePreview",
    "ScheduleCreate",
    "ScheduleRead",
    "ScheduleUpdate",
    "VersionComparisonRead",
]
