"""The evaluation of a tested model, as plain JSON-safe data the UI, plots and reports read.

From the held-out test predictions: curves (ROC and PR per class, calibration bins, a
threshold table, the confusion matrix) for classification, residuals and predicted vs
actual for regression; then, from the model itself, permutation importance, a SHAP
summary (mean |SHAP| per feature, when shap is installed and the features are numeric)
and a small learning curve. Pure: no files, MLflow or databases.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modelyard.ml.automl.metrics import METRICS, confusion, full_report
from modelyard.ml.compiled import is_number_column

log = logging.getLogger(__name__)

MAX_CURVE_POINTS = 200
MAX_SCATTER_POINTS = 500
SHAP_ROWS = 50
IMPORTANCE_ROWS = 2_000  # permutation importance on at most this many test rows
LEARNING_CURVE_ROWS = 5_000  # the learning curve on at most this many rows
MIN_LEARNING_CURVE_S = 5.0  # a learning curve stops adding sizes after its time is up
MIN_CALIBRATION_ROWS = 10  # a calibration bin with fewer rows joins the next one


@dataclass(frozen=True)
class EvaluationInput:
    """What an evaluation looks at: the fitted model and its held-out test rows."""

    model: Any
    task: str
    metric: str
    X_test: pd.DataFrame
    y_test: list[Any]  # original labels or numbers
    classes: list[Any] | None = None
    X_all: pd.DataFrame | None = None  # every labelled row, for the learning curve
    y_all: list[Any] | None = None
    seed: int = 0


def evaluate(data: EvaluationInput, *, time_limit_s: float = 20.0) -> dict[str, Any]:
    """Every metric, curve and explanation that applies; skipped parts leave a note."""
    started = time.monotonic()
    notes: list[str] = []
    if data.task == "classification":
        result = _classification(data)
    else:
        result = _regression(data)
    result["notes"] = notes
    fast = dataclasses.replace(data, model=_Scorer(data.model, data.X_test, data.task))
    result["importance"] = _guarded(notes, "importance", lambda: _importance(fast))
    result["shap"] = _guarded(notes, "SHAP summary", lambda: _shap_summary(fast, notes))
    left = max(time_limit_s - (time.monotonic() - started), MIN_LEARNING_CURVE_S)
    if data.X_all is None or data.y_all is None:
        result["learning_curve"] = None
    else:
        result["learning_curve"] = _guarded(
            notes, "learning curve", lambda: _learning_curve(data, time_limit_s=left)
        )
    return _json_safe(result)


class _Scorer:
    """The model's ``predict``/``predict_proba`` on frames, through the compiled inference
    path (modelyard.ml.compiled) when it gives the same numbers on the test rows: permutation
    importance and SHAP call the model hundreds of times on small frames, where the plain
    pipeline's pandas bookkeeping costs most of the time."""

    PARITY_ROWS = 200

    def __init__(self, model: Any, X: pd.DataFrame, task: str) -> None:
        self.classes_ = getattr(model, "classes_", None)
        self._model = model
        self._task = task
        self._served = self._compiled(X)

    @property
    def is_compiled(self) -> bool:
        return self._served is not None

    def _compiled(self, X: pd.DataFrame) -> Any:
        from modelyard.ml.compiled import compile_model, frame_columns

        try:
            served = compile_model(self._model, frame_columns(X), task=self._task)
            if not served.is_compiled:
                return None
            sample = X.head(self.PARITY_ROWS)
            fast, plain = self._compiled_outputs(served, sample), self._plain_outputs(sample)
        except Exception as exc:  # the plain model always works: use it
            log.debug("evaluation: compiled path not used: %s", exc)
            return None
        return served if np.allclose(fast, plain, rtol=1e-7, atol=1e-9) else None

    def _plain_outputs(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities (classification) or predictions (regression) of the pipeline."""
        if self._task == "classification":
            return np.asarray(self._model.predict_proba(X), dtype=float)
        return np.asarray(self._model.predict(X), dtype=float)

    def _compiled_outputs(self, served: Any, X: pd.DataFrame) -> np.ndarray:
        scores = served.predict_frame(X)
        chosen = scores.probabilities if self._task == "classification" else scores.predictions
        return np.asarray(chosen, dtype=float)

    def _outputs(self, X: pd.DataFrame) -> np.ndarray:
        if self._served is None:
            return self._plain_outputs(X)
        return self._compiled_outputs(self._served, X)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self._outputs(X)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if self._task == "classification":
            return np.asarray(self._model.predict(X))
        return self._outputs(X)


def _guarded(notes: list[str], what: str, fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # an explanation must never fail the run
        log.warning("evaluation: %s failed: %s", what, exc)
        notes.append(f"{what} skipped: {exc}")
        return None


def _codes(labels: list[Any], classes: list[Any]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[v] for v in labels], dtype=int)


def _classification(data: EvaluationInput) -> dict[str, Any]:
    from sklearn.metrics import precision_recall_curve, roc_curve

    classes = list(data.classes or data.model.classes_)
    proba = np.asarray(data.model.predict_proba(data.X_test), dtype=float)
    y = _codes(data.y_test, classes)
    roc, pr = [], []
    scored = [1] if len(classes) == 2 else range(len(classes))
    for k in scored:
        positive = y == k
        if positive.all() or not positive.any():
            continue
        fpr, tpr, _ = roc_curve(positive, proba[:, k])
        precision, recall, _ = precision_recall_curve(positive, proba[:, k])
        roc.append({"label": str(classes[k]), **_thin(fpr=fpr, tpr=tpr)})
        pr.append({"label": str(classes[k]), **_thin(recall=recall, precision=precision)})
    return {
        "task": "classification",
        "metric": data.metric,
        "classes": [str(c) for c in classes],
        "metrics": full_report("classification", y, proba),
        "confusion_matrix": confusion(y, proba),
        "roc": roc,
        "pr": pr,
        "calibration": _calibration(y, proba, classes),
        "thresholds": _thresholds(y, proba) if len(classes) == 2 else None,
    }


def _thin(**columns: np.ndarray) -> dict[str, list[float]]:
    """Curves with at most MAX_CURVE_POINTS points (evenly kept, ends included)."""
    n = len(next(iter(columns.values())))
    keep = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS)).round().astype(int))
    return {name: [float(v) for v in values[keep]] for name, values in columns.items()}


def _calibration(y: np.ndarray, proba: np.ndarray, classes: list[Any]) -> dict[str, Any]:
    """Mean predicted probability vs observed frequency in up to 10 bins of width 0.1
    (binary: the positive class; multiclass: the predicted class's confidence vs
    accuracy). A bin with fewer than :data:`MIN_CALIBRATION_ROWS` rows (or 2% of them)
    joins the next one: a point from two rows swings between 0 and 1 and reads as a
    badly calibrated model."""
    if len(classes) == 2:
        score, hit, label = proba[:, 1], (y == 1).astype(float), str(classes[1])
    else:
        score, hit, label = proba.max(axis=1), (proba.argmax(axis=1) == y).astype(float), "top"
    bins = np.minimum((score * 10).astype(int), 9)
    rows = []
    for members in _merged_bins(bins, min_rows=max(MIN_CALIBRATION_ROWS, len(y) // 50)):
        rows.append((float(score[members].mean()), float(hit[members].mean()), len(members)))
    return {
        "label": label,
        "mean_predicted": [r[0] for r in rows],
        "fraction_positive": [r[1] for r in rows],
        "count": [r[2] for r in rows],
    }


def _merged_bins(bins: np.ndarray, *, min_rows: int) -> list[np.ndarray]:
    """Row positions of each bin, in order, a sparse bin joined to the next (the last
    sparse one to the one before)."""
    groups: list[np.ndarray] = []
    pending = np.empty(0, dtype=int)
    for b in range(int(bins.max(initial=0)) + 1):
        pending = np.concatenate([pending, np.flatnonzero(bins == b)])
        if len(pending) >= min_rows:
            groups.append(pending)
            pending = np.empty(0, dtype=int)
    if len(pending):
        if groups:
            groups[-1] = np.concatenate([groups[-1], pending])
        else:
            groups.append(pending)
    return groups


def _thresholds(y: np.ndarray, proba: np.ndarray) -> list[dict[str, float]]:
    """Precision, recall and F1 of the positive class at thresholds 0.05 .. 0.95."""
    rows = []
    positive = y == 1
    for threshold in np.round(np.arange(0.05, 0.96, 0.05), 2):
        predicted = proba[:, 1] >= threshold
        tp = int((predicted & positive).sum())
        fp = int((predicted & ~positive).sum())
        fn = int((~predicted & positive).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {
                "threshold": float(threshold),
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "predicted_positive": int(predicted.sum()),
            }
        )
    return rows


def _regression(data: EvaluationInput) -> dict[str, Any]:
    actual = np.asarray(data.y_test, dtype=float)
    predicted = np.asarray(data.model.predict(data.X_test), dtype=float)
    keep = np.arange(len(actual))
    if len(keep) > MAX_SCATTER_POINTS:
        keep = np.random.default_rng(data.seed).choice(keep, MAX_SCATTER_POINTS, replace=False)
    return {
        "task": "regression",
        "metric": data.metric,
        "metrics": full_report("regression", actual, predicted),
        "predicted_vs_actual": {
            "actual": actual[keep].tolist(),
            "predicted": predicted[keep].tolist(),
            "residual": (actual[keep] - predicted[keep]).tolist(),
        },
    }


def _score(data: EvaluationInput, model: Any, X: pd.DataFrame, y: list[Any]) -> float:
    """The run's metric on (X, y), in the metric's own direction."""
    metric = METRICS[data.metric]
    if data.task == "classification":
        classes = list(model.classes_)
        return metric.score(_codes(y, classes), np.asarray(model.predict_proba(X), dtype=float))
    return metric.score(np.asarray(y, dtype=float), np.asarray(model.predict(X), dtype=float))


def _importance(data: EvaluationInput, n_repeats: int = 3) -> list[dict[str, Any]]:
    """Permutation importance on the test rows: how much the metric worsens per feature."""
    metric = METRICS[data.metric]
    rng = np.random.default_rng(data.seed)
    keep = np.arange(len(data.X_test))
    if len(keep) > IMPORTANCE_ROWS:
        keep = np.sort(rng.choice(keep, IMPORTANCE_ROWS, replace=False))
    X, y = data.X_test.iloc[keep], [data.y_test[i] for i in keep]
    base = _score(data, data.model, X, y)
    rows = []
    for column in X.columns:
        drops = []
        for _ in range(n_repeats):
            shuffled = X.copy()
            shuffled[column] = rng.permutation(shuffled[column].to_numpy())
            score = _score(data, data.model, shuffled, y)
            drops.append(base - score if metric.is_higher_better else score - base)
        rows.append({"feature": str(column), "importance": float(np.mean(drops))})
    return sorted(rows, key=lambda r: -r["importance"])


def _shap_summary(data: EvaluationInput, notes: list[str]) -> list[dict[str, Any]] | None:
    """Mean |SHAP| per feature on a sample of test rows (model-agnostic permutation SHAP)."""
    X = data.X_test.apply(lambda s: s if is_number_column(s) else s.astype("category").cat.codes)
    try:
        import shap
    except ImportError:
        notes.append("SHAP summary skipped: the shap package is not installed")
        return None
    columns = list(data.X_test.columns)
    original = data.X_test
    categories = {  # the model's own values behind each coded column
        c: np.asarray(original[c].astype("category").cat.categories)
        for c in columns
        if not is_number_column(original[c])
    }
    dtypes = {c: original[c].dtype for c in columns if c not in categories}

    def predict(values: np.ndarray) -> np.ndarray:
        decoded = {
            c: categories[c][np.clip(values[:, j].astype(int), 0, len(categories[c]) - 1)]
            if c in categories
            else values[:, j]
            for j, c in enumerate(columns)
        }
        frame = pd.DataFrame(decoded, columns=columns).astype(dtypes)
        if data.task == "classification":
            proba = np.asarray(data.model.predict_proba(frame), dtype=float)
            return proba[:, 1] if proba.shape[1] == 2 else proba.max(axis=1)
        return np.asarray(data.model.predict(frame), dtype=float)

    sample = X.sample(min(len(X), SHAP_ROWS), random_state=data.seed).to_numpy(dtype=float)
    explainer = shap.PermutationExplainer(predict, sample, seed=data.seed)
    values = explainer(sample, max_evals=2 * len(columns) + 1, silent=True).values
    means = np.abs(np.asarray(values)).mean(axis=0)
    rows = [
        {"feature": str(c), "mean_abs_shap": float(v)} for c, v in zip(columns, means, strict=True)
    ]
    return sorted(rows, key=lambda r: -r["mean_abs_shap"])


def _learning_curve(data: EvaluationInput, *, time_limit_s: float) -> dict[str, Any]:
    """Train-size vs validation score of the final model's set-up, on one split."""
    from sklearn.base import clone

    assert data.X_all is not None and data.y_all is not None
    n = len(data.X_all)
    rng = np.random.default_rng(data.seed)
    order = rng.permutation(n)[:LEARNING_CURVE_ROWS]
    n = len(order)
    n_val = max(int(n * 0.25), 2)
    val, train = order[:n_val], order[n_val:]
    X_val, y_val = data.X_all.iloc[val], [data.y_all[i] for i in val]
    started = time.monotonic()
    sizes, train_scores, val_scores = [], [], []
    for share in (0.2, 0.4, 0.7, 1.0):
        rows = train[: max(int(len(train) * share), 10)]
        y_rows = [data.y_all[i] for i in rows]
        if data.task == "classification" and len(set(y_rows)) < 2:
            continue
        model = clone(data.model).fit(data.X_all.iloc[rows], y_rows)
        sizes.append(len(rows))
        train_scores.append(
            _safe(lambda m=model, r=rows, yr=y_rows: _score(data, m, data.X_all.iloc[r], yr))
        )
        val_scores.append(_safe(lambda m=model: _score(data, m, X_val, y_val)))
        if len(sizes) >= 2 and time.monotonic() - started > time_limit_s:
            break
    return {
        "metric": data.metric,
        "train_size": sizes,
        "train_score": train_scores,
        "val_score": val_scores,
    }


def _safe(fn: Any) -> float | None:
    try:
        value = float(fn())
    except (ValueError, KeyError):  # a class the small model never saw
        return None
    return value if math.isfinite(value) else None


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
