"""What an AutoML search is asked to do: budget, task, metric, validation, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.metrics import METRICS
from modelyard.ml.automl.targets import Task

Validation = Literal["auto", "holdout", "kfold", "stratified_kfold", "group_kfold", "timeseries"]
VALIDATIONS: tuple[str, ...] = (
    "auto",
    "holdout",
    "kfold",
    "stratified_kfold",
    "group_kfold",
    "timeseries",
)


@dataclass(frozen=True)
class AutoMLConfig:
    """Settings of one search; every field has a safe default.

    ``max_trials`` bounds the number of trials: with it, the same seed, data and
    configuration give the same leaderboard for deterministic learners (when the time
    budget is not what stops the search). ``refit_full`` refits the winner on every row,
    test split included, after the one evaluation on that split.
    """

    time_budget_s: float = 60.0
    seed: int = 0
    task: Task | None = None
    metric: str | None = None
    validation: Validation = "auto"
    n_folds: int = 5
    group_column: str | None = None
    time_column: str | None = None
    families: tuple[str, ...] | None = None
    n_jobs: int = -1
    max_predict_latency_ms: float | None = None
    max_model_size_mb: float | None = None
    ensemble: bool = True
    test_size: float = 0.2
    max_trials: int | None = None
    refit_full: bool = False
    memory_limit_gb: float | None = None  # None: 75% of this machine's RAM
    parallel_trials: int = 1  # > 1: trials run concurrently as Dask tasks (see parallel.py)

    def __post_init__(self) -> None:
        if isinstance(self.families, list):
            object.__setattr__(self, "families", tuple(self.families))
        problems = [
            message
            for is_wrong, message in [
                (self.time_budget_s <= 0, "time_budget_s must be positive"),
                (self.task not in (None, "classification", "regression"), "unknown task"),
                (self.metric is not None and self.metric not in METRICS, "unknown metric"),
                (self.validation not in VALIDATIONS, "unknown validation"),
                (self.n_folds < 2, "n_folds must be at least 2"),
                (not 0 < self.test_size < 0.9, "test_size must be between 0 and 0.9"),
                (self.max_trials is not None and self.max_trials < 1, "max_trials must be >= 1"),
                (self.validation == "group_kfold" and not self.group_column, _NEEDS_GROUP),
                (self.validation == "timeseries" and not self.time_column, _NEEDS_TIME),
                (self.memory_limit_gb is not None and self.memory_limit_gb <= 0, _BAD_MEMORY),
                (self.parallel_trials < 1, "parallel_trials must be >= 1"),
            ]
            if is_wrong
        ]
        if problems:
            raise InvalidInputError(
                f"Invalid AutoML configuration: {'; '.join(problems)}. Metrics: "
                f"{', '.join(METRICS)}; validations: {', '.join(VALIDATIONS)}.",
                code="automl.invalid_config",
                details={"problems": problems},
            )

    @property
    def threads(self) -> int:
        """The number of threads to use (``n_jobs=-1`` means every core)."""
        return max(1, os.cpu_count() or 1) if self.n_jobs < 1 else self.n_jobs


_NEEDS_GROUP = "validation='group_kfold' needs group_column"
_NEEDS_TIME = "validation='timeseries' needs time_column"
_BAD_MEMORY = "memory_limit_gb must be positive"
