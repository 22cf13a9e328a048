"""What the views of training runs return (comparison)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class RunComparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_ids: list[int]
    metrics: list[dict[str, Any]]  # one row per metric: {"metric", "<run id>": value, "best"}
    params: list[dict[str, Any]]  # one row per parameter that differs: {"param", "<run id>"}
    same_params: dict[str, Any]  # parameters equal in every run
    curves: dict[str, list[dict[str, Any]]]  # "roc", "pr", "predicted_vs_actual": one per run
