"""Model versions side by side: which metrics and parameters differ, and which is best."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modelyard.domain.entities import Entity, ModelVersion

MAX_COMPARED = 10


class ComparedVersion(Entity):
    model: ModelVersion
    algorithm: str
    dataset_version_id: int
    target: str
    params: dict[str, Any]
    size_bytes: int | None = Field(
        default=None, description="Size of the MLflow model directory (None if unreadable)."
    )


class VersionComparison(Entity):
    versions: list[ComparedVersion]
    metrics: list[str] = Field(description="Every metric any of the versions has.")
    params: list[str] = Field(description="Every training parameter any of the versions has.")
    differing_params: list[str] = Field(description="Parameters whose values are not all equal.")
    card_fields: list[str]

    @classmethod
    def build(cls, versions: list[ComparedVersion]) -> VersionComparison:
        metrics = sorted({name for v in versions for name in v.model.metrics})
        params = sorted({name for v in versions for name in v.params})
        differing = [
            name for name in params if len({repr(v.params.get(name)) for v in versions}) > 1
        ]
        card_fields = sorted({name for v in versions for name in v.model.card})
        return cls(
            versions=versions,
            metrics=metrics,
            params=params,
            differing_params=differing,
            card_fields=card_fields,
        )


__all__ = ["MAX_COMPARED", "ComparedVersion", "VersionComparison"]
