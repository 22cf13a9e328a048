"""``fit_unsupervised``: clustering and anomaly detection within a time budget.

The same preprocessing as the supervised engine (imputation, one-hot encoding, scaling,
calendar and TF-IDF features) feeds a search over:

- clustering: k-means (k in a range, or the fixed ``n_clusters``), Gaussian mixtures
  (components x covariance type) and HDBSCAN (minimum cluster size). Each is scored by
  silhouette (on a sample of at most 2,000 rows), Calinski-Harabasz and Davies-Bouldin;
  the best silhouette wins. HDBSCAN's silhouette is taken over the rows it clustered and
  multiplied by their share, so calling hard rows "noise" does not win by itself.
- anomaly detection: isolation forests and local outlier factors (``novelty=True`` so
  they score new rows), with ``contamination`` (default ``auto``). Without labels there
  is no accuracy to maximise, so a detector is chosen by the *stability* of its scores:
  the Spearman rank correlation between the scores of two detectors fitted on disjoint
  halves of the rows. A ranking that does not depend on which rows were seen is one that
  reflects the data rather than noise. The *separation* (gap between the mean score of
  flagged and other rows, in standard deviations) is reported beside it. When a label
  column is given, the ROC AUC of the anomaly score against it is reported too.

Pure like the rest of :mod:`modelyard.ml`: no files, databases, MLflow or Dask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.columns import ColumnKinds, classify_columns, identifier_reason
from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.search import Clock
from modelyard.ml.automl.targets import MIN_ROWS, column_problem
from modelyard.ml.automl.unsupervised_models import candidates, make_estimator, wrap
from modelyard.ml.automl.unsupervised_report import describe_anomalies, describe_clusters

Progress = Callable[[float, str], None]
SILHOUETTE_SAMPLE = 2_000


@dataclass(frozen=True)
class UnsupervisedTrial:
    """One tried configuration and its scores (``val_score`` is the selection score)."""

    number: int
    family: str
    params: dict[str, Any]
    status: str  # "ok" or "failed"
    val_score: float | None
    metrics: dict[str, float]
    fit_time_s: float
    elapsed_s: float
    reason: str | None = None
    predict_latency_ms: float | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class UnsupervisedResult:
    """The chosen pipeline refit on every row, how it was found, and what it found.

    ``model`` is a scikit-learn Pipeline (preprocessing + estimator): ``predict`` gives a
    cluster id (clustering) or 1 for an anomaly (anomaly), and for anomaly
    ``score_samples`` an anomaly score (higher: more anomalous). ``report`` holds what
    the UI draws: cluster sizes, profiles, a 2-D projection, the score histogram.
    """

    model: Any
    task: str
    metric: str
    algorithm: str
    leaderboard: list[UnsupervisedTrial]
    best_trial: UnsupervisedTrial
    metrics: dict[str, float]
    feature_columns: list[str]
    dropped_columns: dict[str, str]
    n_rows: int
    elapsed_s: float
    config: AutoMLConfig
    report: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def n_trials(self) -> int:
        return len(self.leaderboard)

    @property
    def val_score(self) -> float:
        return float(self.best_trial.val_score or 0.0)

    def params(self) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "engine": "automl-unsupervised",
            "metric": self.metric,
            "seed": self.config.seed,
            "time_budget_s": self.config.time_budget_s,
            "n_trials": self.n_trials,
            "best_trial": self.best_trial.number,
        }
        for key, value in self.best_trial.params.items():
            settings[f"{self.best_trial.family}.{key}"] = value
        return settings


def fit_unsupervised(
    frame: pd.DataFrame,
    config: AutoMLConfig,
    progress: Progress | None = None,
    *,
    label: str | None = None,
    on_trial: Callable[[UnsupervisedTrial], None] | None = None,
) -> UnsupervisedResult:
    """Search clusterings or anomaly detectors; see the module docstring.

    ``label`` (optional) is a column kept out of the features: for anomaly, the known
    anomalies (ROC AUC of the score is reported); for clustering, known groups (adjusted
    Rand index is reported).
    """
    from sklearn.pipeline import Pipeline

    from modelyard.ml.automl.preprocessing import build_preprocessor

    if not config.is_unsupervised:
        raise InvalidInputError(
            "fit_unsupervised needs task 'clustering' or 'anomaly'.", code="automl.invalid_config"
        )
    clock = Clock(config.time_budget_s)
    report = progress or (lambda _f, _m: None)
    task = str(config.task)
    X, kinds, dropped = _features(frame, label, task)
    truth = frame[label] if label else None
    preprocessor = build_preprocessor(kinds, scaled=True, task="regression", seed=config.seed)
    Z = np.asarray(preprocessor.fit_transform(X), dtype=float)
    trials = _search(Z, config, truth=truth, clock=clock, report=report, on_trial=on_trial)
    best = _best(trials, task)
    pipeline = Pipeline(
        [
            ("preprocess", preprocessor),
            ("model", wrap(task, make_estimator((best.family, best.params), config))),
        ]
    )
    pipeline.fit(X)
    notes = [f"task {task}: {len(X)} rows, {len(kinds.columns)} features"]
    notes.append(
        f"{len(trials)} configurations in {clock.elapsed():.1f} s; best: trial {best.number} "
        f"{best.family} {_metric(task)}={best.val_score:.4f}"
    )
    describe = describe_clusters if task == "clustering" else describe_anomalies
    summary = describe(pipeline, X, Z, seed=config.seed)
    report(1.0, notes[-1])
    return UnsupervisedResult(
        model=pipeline,
        task=task,
        metric=_metric(task),
        algorithm=best.family,
        leaderboard=trials,
        best_trial=best,
        metrics=dict(best.metrics),
        feature_columns=list(X.columns),
        dropped_columns=dropped,
        n_rows=len(X),
        elapsed_s=clock.elapsed(),
        config=config,
        report=summary,
        notes=notes,
    )


def _search(
    Z: np.ndarray,
    config: AutoMLConfig,
    *,
    truth: pd.Series | None,
    clock: Clock,
    report: Progress,
    on_trial: Callable[[UnsupervisedTrial], None] | None,
) -> list[UnsupervisedTrial]:
    """Try the candidates in order until the budget or ``max_trials`` ends the search."""
    planned = candidates(config, len(Z))
    report(0.0, f"{config.task}: {len(planned)} candidate configurations")
    trials: list[UnsupervisedTrial] = []
    for family, params in planned:
        if trials and (clock.left() <= 0 or _trials_done(config, trials)):
            break
        trial = _try(family, params, Z, config, truth=truth, number=len(trials), clock=clock)
        trials.append(trial)
        (on_trial or (lambda _t: None))(trial)
        score = "-" if trial.val_score is None else f"{trial.val_score:.4f}"
        report(clock.fraction(), f"trial {trial.number}: {family} {params} -> {score}")
    return trials


def _metric(task: str) -> str:
    return "silhouette" if task == "clustering" else "stability"


def _trials_done(config: AutoMLConfig, trials: list[UnsupervisedTrial]) -> bool:
    return config.max_trials is not None and len(trials) >= config.max_trials


def _features(
    frame: pd.DataFrame, label: str | None, task: str
) -> tuple[pd.DataFrame, ColumnKinds, dict[str, str]]:
    """The usable feature columns by kind, and why every other column was dropped."""
    if label and label not in frame.columns:
        raise InvalidInputError(
            f"The label column {label!r} is not in the data.", code="training.target_unknown"
        )
    nothing = pd.Series(dtype=object)
    dropped: dict[str, str] = {}
    keep = []
    for column in frame.columns:
        if column == label:
            continue
        series = frame[column]
        reason = column_problem(series, nothing) or identifier_reason(str(column), series)
        if reason is None:
            keep.append(column)
        else:
            dropped[str(column)] = reason
    kinds = classify_columns(frame[keep])
    for column in kinds.high_cardinality:
        dropped[str(column)] = "many distinct categories and no target to encode them against"
    usable = [c for c in keep if c not in kinds.high_cardinality]
    if not usable:
        raise InvalidInputError(
            f"No usable feature column for {task}: every column is constant, empty, an "
            "identifier or a category with too many levels. Add numeric or categorical "
            "columns to the data.",
            code="training.no_features",
            details={"dropped": dropped},
        )
    if len(frame) < MIN_ROWS:
        raise InvalidInputError(
            f"Only {len(frame)} rows; at least {MIN_ROWS} are needed for {task}.",
            code="training.too_few_rows",
        )
    X = frame[usable].reset_index(drop=True)
    return X, ColumnKinds(**{**kinds.__dict__, "high_cardinality": []}), dropped


def _try(
    family: str,
    params: dict[str, Any],
    Z: np.ndarray,
    config: AutoMLConfig,
    *,
    truth: pd.Series | None,
    number: int,
    clock: Clock,
) -> UnsupervisedTrial:
    started = time.perf_counter()
    task = str(config.task)
    try:
        model = wrap(task, make_estimator((family, params), config)).fit(Z)
        if task == "clustering":
            metrics = _cluster_scores(model.labels_, Z, truth, seed=config.seed)
            val_score: float | None = metrics["silhouette"] * (1 - metrics["noise_share"])
        else:
            metrics = _anomaly_scores(model, Z, truth, config=config, family=family, params=params)
            val_score = metrics["stability"]
        status, reason = "ok", None
    except (ValueError, np.linalg.LinAlgError) as exc:
        metrics, val_score, status, reason = {}, None, "failed", str(exc)[:300]
    return UnsupervisedTrial(
        number=number,
        family=family,
        params=dict(params),
        status=status,
        val_score=val_score,
        metrics=metrics,
        fit_time_s=time.perf_counter() - started,
        elapsed_s=clock.elapsed(),
        reason=reason,
    )


def _cluster_scores(
    labels: np.ndarray, Z: np.ndarray, truth: pd.Series | None, *, seed: int
) -> dict[str, float]:
    from sklearn import metrics as m

    clustered = labels >= 0
    found = np.unique(labels[clustered])
    if len(found) < 2 or len(found) >= clustered.sum():
        raise ValueError(f"found {len(found)} cluster(s); scores need 2 or more")
    points, assigned = Z[clustered], labels[clustered]
    sample = min(SILHOUETTE_SAMPLE, len(points))
    scores = {
        "silhouette": float(
            m.silhouette_score(points, assigned, sample_size=sample, random_state=seed)
        ),
        "calinski_harabasz": float(m.calinski_harabasz_score(points, assigned)),
        "davies_bouldin": float(m.davies_bouldin_score(points, assigned)),
        "n_clusters": float(len(found)),
        "noise_share": float(1 - clustered.mean()),
    }
    if truth is not None:
        known = truth.notna().to_numpy()
        scores["adjusted_rand"] = float(
            m.adjusted_rand_score(truth[known].astype(str), labels[known])
        )
    return scores


def _anomaly_scores(
    model: Any,
    Z: np.ndarray,
    truth: pd.Series | None,
    *,
    config: AutoMLConfig,
    family: str,
    params: dict[str, Any],
) -> dict[str, float]:
    from scipy.stats import spearmanr

    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(Z))
    halves = order[: len(Z) // 2], order[len(Z) // 2 :]
    halves_scores = [
        wrap("anomaly", make_estimator((family, params), config)).fit(Z[half]).score_samples(Z)
        for half in halves
    ]
    stability = float(spearmanr(*halves_scores).statistic)
    scores = model.score_samples(Z)
    flagged = scores > model.threshold_
    spread = float(scores.std()) or 1.0
    separation = (
        float((scores[flagged].mean() - scores[~flagged].mean()) / spread)
        if flagged.any() and (~flagged).any()
        else 0.0
    )
    result = {
        "stability": stability if np.isfinite(stability) else 0.0,
        "separation": separation,
        "anomaly_share": float(flagged.mean()),
    }
    auc = _label_auc(truth, scores)
    if auc is not None:
        result["roc_auc"] = auc
    return result


def _label_auc(truth: pd.Series | None, scores: np.ndarray) -> float | None:
    """ROC AUC of the anomaly score against a two-valued label (the rarer value = anomaly)."""
    if truth is None:
        return None
    from sklearn.metrics import roc_auc_score

    known = truth.notna().to_numpy()
    values = truth[known].astype(str)
    counts = values.value_counts()
    if len(counts) != 2:
        return None
    return float(roc_auc_score(values == counts.index[-1], scores[known]))


def _best(trials: list[UnsupervisedTrial], task: str) -> UnsupervisedTrial:
    usable = [t for t in trials if t.status == "ok" and t.val_score is not None]
    if not usable:
        reasons = "; ".join(f"{t.family}: {t.reason}" for t in trials[:5])
        raise InvalidInputError(
            f"No {task} configuration could be fitted on this data ({reasons}). "
            "Check that the feature columns vary, or give a larger time budget.",
            code="automl.no_successful_trial",
        )
    return max(usable, key=lambda t: (float(t.val_score or 0.0), -t.number))


def recommend_unsupervised(frame: pd.DataFrame) -> dict[str, Any]:
    """Without a target there is nothing to predict: suggest clustering, with the reasons."""
    X, kinds, dropped = _features(frame, None, "clustering")
    return {
        "target": None,
        "task": {
            "value": "clustering",
            "reason": "no target column was chosen, so the rows are grouped by similarity "
            "(k-means, Gaussian mixtures, HDBSCAN scored by silhouette); choose 'anomaly' to "
            "flag unusual rows instead",
        },
        "metric": {"value": "silhouette", "reason": "how well separated the clusters are"},
        "families": [
            {"value": "kmeans", "reason": "compact, similar-sized groups; fast"},
            {"value": "gaussian_mixture", "reason": "elliptical groups of different shapes"},
            {"value": "hdbscan", "reason": "groups of any shape; leaves outliers unclustered"},
        ],
        "time_budget_s": {
            "value": 30.0 if len(X) < 50_000 else 120.0,
            "reason": f"{len(X)} rows and {len(kinds.columns)} features",
        },
        "dropped_columns": dropped,
    }


__all__ = [
    "UnsupervisedResult",
    "UnsupervisedTrial",
    "fit_unsupervised",
    "recommend_unsupervised",
]
