"""What a training run leaves besides its model: the evaluation (curves, importance, SHAP,
learning curve), its PNG plots, the leaderboard as CSV and what reproduces the run (data
version hash, seed, package versions). Built in the worker, logged to MLflow and kept in
the run's details so pages read it without MLflow.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pandas as pd

from modelyard.ports import ProgressReporter

log = logging.getLogger(__name__)

KEY_PACKAGES = (
    "modelyard",
    "scikit-learn",
    "numpy",
    "pandas",
    "pyarrow",
    "lightgbm",
    "xgboost",
    "xgboost-cpu",
    "catboost",
    "optuna",
    "torch",
    "shap",
    "mlflow",
)
LEADERBOARD_COLUMNS = ("number", "family", "status", "val_score", "fit_time_s", "elapsed_s")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a model depends on (absent ones left out)."""
    found = {}
    for name in KEY_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def evaluate_result(result: Any, frame: pd.DataFrame, target: str) -> dict[str, Any]:
    """The evaluation of an AutoML result on its held-out rows (see modelyard.ml.evaluation)."""
    from modelyard.ml.evaluation import EvaluationInput, evaluate

    labelled = frame[frame[target].notna()]
    features = list(result.feature_columns)
    y_all = labelled[target].tolist()
    if result.task == "regression":
        y_all = [float(v) for v in y_all]
    data = EvaluationInput(
        model=result.model,
        task=result.task,
        metric=result.metric,
        X_test=result.test_features,
        y_test=list(result.y_test),
        classes=result.classes,
        X_all=labelled[features],
        y_all=y_all,
        seed=result.config.seed,
    )
    return evaluate(data)


def run_files(
    evaluation: dict[str, Any],
    leaderboard: list[dict[str, Any]],
    reproducibility: dict[str, Any],
) -> dict[str, bytes]:
    """The files logged with the run: plots, evaluation data, leaderboard, reproducibility."""
    from modelyard.ml.plots import render

    files = render(evaluation)
    files["evaluation.json"] = json.dumps(evaluation, indent=1).encode()
    files["leaderboard.csv"] = leaderboard_csv(leaderboard).encode()
    files["reproducibility.json"] = json.dumps(reproducibility, indent=1).encode()
    pins = reproducibility.get("packages", {})
    files["requirements.txt"] = "".join(f"{k}=={v}\n" for k, v in pins.items()).encode()
    return files


def leaderboard_csv(leaderboard: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*LEADERBOARD_COLUMNS, "params"])
    for row in leaderboard:
        params = json.dumps(row.get("params") or {}, sort_keys=True)
        writer.writerow([*(row.get(c) for c in LEADERBOARD_COLUMNS), params])
    return buffer.getvalue()


_METRIC = re.compile(r"metric (\w+)")


class SearchFeed:
    """Publishes the trials of a running search on the job row, for the live view.

    ``on_trial`` logs the trial and writes ``{"trials", "metric", "budget_s", ...}`` as the
    job's partial result; ``on_progress`` remembers the metric named in the first message
    and the current step.
    """

    def __init__(
        self, reporter: ProgressReporter, *, budget_s: float, max_trials: int | None
    ) -> None:
        self._reporter = reporter
        self._budget_s = budget_s
        self._max_trials = max_trials
        self._metric: str | None = None
        self._current = ""
        self._trials: list[dict[str, Any]] = []
        self._started = time.monotonic()

    def on_progress(self, message: str) -> None:
        if self._metric is None and (match := _METRIC.search(message)):
            self._metric = match.group(1)
        self._current = message

    def on_trial(self, trial: dict[str, Any]) -> None:
        self._trials.append(
            {k: trial.get(k) for k in (*LEADERBOARD_COLUMNS, "reason")}
            | {"params": trial.get("params")}
        )
        from modelyard.ml.automl.metrics import METRICS

        metric = METRICS.get(self._metric or "")
        try:
            self._reporter.partial(
                {
                    "metric": self._metric,
                    "is_higher_better": metric.is_higher_better if metric else True,
                    "budget_s": self._budget_s,
                    "max_trials": self._max_trials,
                    "elapsed_s": time.monotonic() - self._started,
                    "current": self._current,
                    "trials": self._trials,
                }
            )
        except AttributeError:  # a reporter without a live view
            log.debug("progress reporter cannot publish partial results")
