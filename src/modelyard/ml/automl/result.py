"""What a search returns: the model, how it was found, and how it did on the test split."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.targets import Task
from modelyard.ml.automl.trials import TrialRecord

if TYPE_CHECKING:
    from modelyard.ml.training import TrainingOutcome


@dataclass(frozen=True)
class AutoMLResult:
    """The winner refit on the search rows and evaluated once on the held-out test rows.

    ``model`` takes a DataFrame with ``feature_columns`` (other columns are ignored) and
    answers in the original labels; for classification ``predict_proba`` has one column
    per entry of ``classes``. ``leaderboard`` holds every trial in the order run.
    """

    model: Any
    task: Task
    metric: str
    algorithm: str
    leaderboard: list[TrialRecord]
    best_trial: TrialRecord
    val_score: float
    test_metrics: dict[str, float]
    confusion_matrix: list[list[int]] | None
    feature_columns: list[str]
    dropped_columns: dict[str, str]
    classes: list[Any] | None
    elapsed_s: float
    y_test: list[Any]
    test_predictions: list[Any]
    test_probabilities: list[list[float]] | None
    config: AutoMLConfig
    validation: str
    n_train: int
    n_test: int
    ensemble_weights: dict[int, int] | None = None
    predict_latency_ms: float | None = None  # of the final model, one row
    size_bytes: int | None = None  # of the final model, pickled
    notes: list[str] = field(default_factory=list)
    feature_ranking: list[dict[str, Any]] | None = None  # feature, score, selected, method
    threshold: float | None = None  # tuned decision threshold (binary classification)
    test_features: Any = None  # the held-out test rows (a DataFrame of feature_columns)
    stopped_early: bool = False  # a stop request ended the search; the best so far was kept
    memory_estimate_gb: float | None = None  # the search's estimated peak memory
    downsampled_from: int | None = None  # rows before downsampling to fit the memory limit

    @property
    def n_trials(self) -> int:
        return len(self.leaderboard)

    def params(self) -> dict[str, Any]:
        """The winner's settings, flat and JSON-safe (for tracking)."""
        settings: dict[str, Any] = {
            "engine": "automl",
            "metric": self.metric,
            "validation": self.validation,
            "seed": self.config.seed,
            "time_budget_s": self.config.time_budget_s,
            "n_trials": self.n_trials,
            "best_trial": self.best_trial.number,
            "val_score": self.val_score,
        }
        if self.ensemble_weights:
            members = ",".join(f"{n}x{w}" for n, w in self.ensemble_weights.items())
            settings["ensemble_weights"] = members
        if self.threshold is not None:
            settings["decision_threshold"] = self.threshold
        for key, value in self.best_trial.params.items():
            settings[f"{self.best_trial.family}.{key}"] = value
        return settings

    def to_outcome(self) -> TrainingOutcome:
        """The thin trainer's result shape, so the service layer can swap engines:
        ``fit_automl(frame, target, config, progress=reporter.report).to_outcome()``."""
        from modelyard.ml.training import TrainingOutcome

        return TrainingOutcome(
            pipeline=self.model,
            task=self.task,
            algorithm=self.algorithm,
            metrics=dict(self.test_metrics),
            params=self.params(),
            feature_columns=list(self.feature_columns),
            classes=list(self.classes) if self.classes is not None else None,
            dropped_columns=dict(self.dropped_columns),
            n_train=self.n_train,
            n_test=self.n_test,
        )
