"""What an AutoML search is asked to do: budget, task, metric, validation, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.metrics import METRICS
from modelyard.ml.automl.options import PrepOptions, option_problems
from modelyard.ml.automl.targets import Task

UnsupervisedTask = Literal["clustering", "anomaly"]
UNSUPERVISED_TASKS: tuple[str, ...] = ("clustering", "anomaly")

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
    test split included, after the one evaluation on that split, when the time that
    refit took says this one ends within the budget (not when the winner is used as fitted
    in the search because a refit would overrun the budget).
    """

    time_budget_s: float = 60.0
    seed: int = 0
    task: Task | UnsupervisedTask | None = None
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
    # preprocessing, imbalance, threshold and selection options (docs/preprocessing.md)
    imputation: str = "auto"
    scaling: str = "auto"
    encoding: str = "auto"
    interactions: str = "none"
    resampling: str = "none"
    threshold_metric: str | None = None
    cost_matrix: tuple[tuple[float, float], tuple[float, float]] | None = None
    feature_selection: str = "none"
    max_features: int | None = None
    n_clusters: int | None = None  # clustering: a fixed number of clusters
    contamination: float | None = None  # anomaly: expected share of anomalies (None: auto)
    memory_limit_gb: float | None = None  # None: 75% of this machine's RAM
    parallel_trials: int = 1  # > 1: trials run concurrently as Dask tasks (see parallel.py)

    def __post_init__(self) -> None:
        if isinstance(self.families, list):
            object.__setattr__(self, "families", tuple(self.families))
        if isinstance(self.cost_matrix, list):
            rows = tuple(tuple(r) if isinstance(r, list) else r for r in self.cost_matrix)
            object.__setattr__(self, "cost_matrix", rows)
        problems = [
            message
            for is_wrong, message in [
                (self.time_budget_s <= 0, "time_budget_s must be positive"),
                (
                    self.task not in (None, "classification", "regression", *UNSUPERVISED_TASKS),
                    _TASKS,
                ),
                (
                    self.metric is not None and self.metric not in METRICS,
                    f"unknown metric {self.metric!r} (one of {', '.join(METRICS)})",
                ),
                (
                    self.validation not in VALIDATIONS,
                    f"unknown validation {self.validation!r} (one of {', '.join(VALIDATIONS)})",
                ),
                (self.n_folds < 2, "n_folds must be at least 2"),
                (not 0 < self.test_size < 0.9, "test_size must be between 0 and 0.9"),
                (self.max_trials is not None and self.max_trials < 1, "max_trials must be >= 1"),
                (self.validation == "group_kfold" and not self.group_column, _NEEDS_GROUP),
                (self.validation == "timeseries" and not self.time_column, _NEEDS_TIME),
                (self.n_clusters is not None and self.n_clusters < 2, "n_clusters must be >= 2"),
                (not _is_contamination(self.contamination), _CONTAMINATION),
                (self.memory_limit_gb is not None and self.memory_limit_gb <= 0, _BAD_MEMORY),
                (self.parallel_trials < 1, "parallel_trials must be >= 1"),
            ]
            if is_wrong
        ]
        problems += option_problems(
            imputation=self.imputation,
            scaling=self.scaling,
            encoding=self.encoding,
            interactions=self.interactions,
            resampling=self.resampling,
            feature_selection=self.feature_selection,
            max_features=self.max_features,
            threshold_metric=self.threshold_metric,
            cost_matrix=self.cost_matrix,
        )
        if problems:
            raise InvalidInputError(
                f"Invalid AutoML configuration: {'; '.join(problems)}.",
                code="automl.invalid_config",
                details={"problems": problems},
            )

    @property
    def prep(self) -> PrepOptions:
        """The options that shape the pipeline's preprocessing and model steps."""
        return PrepOptions(
            imputation=self.imputation,
            scaling=self.scaling,
            encoding=self.encoding,
            interactions=self.interactions,
            resampling=self.resampling,
            feature_selection=self.feature_selection,
            max_features=self.max_features,
            seed=self.seed,
        )

    @property
    def is_unsupervised(self) -> bool:
        return self.task in UNSUPERVISED_TASKS

    @property
    def supervised_task(self) -> Task | None:
        """The task for the supervised engine; unsupervised tasks go to ``fit_unsupervised``."""
        if self.task == "clustering" or self.task == "anomaly":
            raise InvalidInputError(
                f"The task {self.task!r} has no target to predict; "
                "run it with modelyard.ml.automl.unsupervised.fit_unsupervised.",
                code="automl.task_unsupervised",
            )
        return self.task

    @property
    def threads(self) -> int:
        """The number of threads to use (``n_jobs=-1`` means every core)."""
        return max(1, os.cpu_count() or 1) if self.n_jobs < 1 else self.n_jobs


_NEEDS_GROUP = "validation='group_kfold' needs group_column"
_NEEDS_TIME = "validation='timeseries' needs time_column"
_TASKS = "unknown task (classification, regression, clustering or anomaly)"
_CONTAMINATION = "contamination must be in (0, 0.5]"


def _is_contamination(value: float | None) -> bool:
    return value is None or 0 < value <= 0.5


_BAD_MEMORY = "memory_limit_gb must be positive"
