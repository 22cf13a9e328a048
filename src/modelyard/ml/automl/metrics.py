"""Metrics by name: how to compute them, which way is better, and the full test report.

Inside the search, classification targets are encoded as ``0 .. n_classes-1`` and
predictions are class probabilities of shape ``(n_rows, n_classes)``; regression
predictions are a vector. Every metric takes ``(y_true, prediction)`` in that form.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelyard.ml.automl.targets import Task

Scorer = Callable[[np.ndarray, np.ndarray], float]
_EPS = 1e-15


@dataclass(frozen=True)
class Metric:
    name: str
    task: Task
    is_higher_better: bool
    score: Scorer

    def is_better(self, a: float, b: float | None) -> bool:
        """Whether score ``a`` beats ``b`` (anything beats no score)."""
        if b is None or math.isnan(b):
            return not math.isnan(a)
        return a > b if self.is_higher_better else a < b

    def best(self, scores: list[float]) -> float:
        return max(scores) if self.is_higher_better else min(scores)


def labels_of(proba: np.ndarray) -> np.ndarray:
    return np.asarray(proba).argmax(axis=1)


def _normalised(proba: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(proba, dtype=float), _EPS, 1.0)
    return clipped / clipped.sum(axis=1, keepdims=True)


def _accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(labels_of(p) == y))


def _balanced_accuracy(y: np.ndarray, p: np.ndarray) -> float:
    predicted = labels_of(p)
    recalls = [np.mean(predicted[y == k] == k) for k in np.unique(y)]
    return float(np.mean(recalls))


def _matrix(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Counts of (true class, predicted class); rows are true classes."""
    k = p.shape[1]
    pairs = y.astype(int) * k + labels_of(p)
    return np.bincount(pairs, minlength=k * k).reshape(k, k)


def _per_class(kind: str, matrix: np.ndarray) -> np.ndarray:
    """Precision, recall or F1 of each class, 0 where undefined (no such predictions or
    rows), as scikit-learn's with ``zero_division=0``."""
    hits = np.diag(matrix).astype(float)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    over = {"precision": predicted, "recall": actual, "f1": (predicted + actual) / 2}[kind]
    return np.divide(hits, over, out=np.zeros_like(hits), where=over > 0)


def _averaged(kind: str, average: str) -> Scorer:
    """Macro (each class alike) or weighted (by the class's rows) average of a per-class
    score over every class of the model."""

    def score(y: np.ndarray, p: np.ndarray) -> float:
        matrix = _matrix(y, p)
        values = _per_class(kind, matrix)
        if average == "macro":
            return float(values.mean())
        actual = matrix.sum(axis=1)
        return float(values @ actual / actual.sum())

    return score


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC from ranks (ties averaged): the chance a positive outranks a negative."""
    from scipy.stats import rankdata

    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC AUC needs both classes in y_true")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Binary AUC, or the macro average of one-vs-rest AUCs over the classes present."""
    if p.shape[1] == 2:
        return _binary_auc(y == 1, p[:, 1])
    present = np.unique(y)
    if len(present) < 2:
        return math.nan
    proba = _normalised(p)
    return float(np.mean([_binary_auc(y == k, proba[:, k]) for k in present]))


def _average_precision(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the precision-recall curve as scikit-learn's ``average_precision_score``:
    the precision at each distinct score, weighted by the recall it adds."""
    order = np.argsort(-score, kind="mergesort")
    ranked, hits = score[order], positive[order]
    cut = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]  # last row of each score
    true_positives = np.cumsum(hits)[cut]
    if true_positives[-1] == 0:
        raise ValueError("PR AUC needs a positive row in y_true")
    precision = true_positives / (cut + 1)
    recall = true_positives / true_positives[-1]
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def _pr_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Binary average precision, or its macro average one-vs-rest over the classes present."""
    if p.shape[1] == 2:
        return _average_precision(y == 1, p[:, 1])
    return float(np.mean([_average_precision(y == k, p[:, k]) for k in np.unique(y)]))


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    proba = _normalised(p)
    return float(-np.mean(np.log(proba[np.arange(len(y)), y.astype(int)])))


def _mcc(y: np.ndarray, p: np.ndarray) -> float:
    """Matthews correlation (its multiclass form, R_K), 0 when a side has one class only."""
    matrix = _matrix(y, p).astype(float)
    actual, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    n = matrix.sum()
    covariance = np.trace(matrix) * n - actual @ predicted
    spread = (n * n - predicted @ predicted) * (n * n - actual @ actual)
    return 0.0 if spread == 0 else float(covariance / np.sqrt(spread))


def _rmse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, dtype=float) - p) ** 2)))


def _mse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(y, dtype=float) - p) ** 2))


def _mae(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(y, dtype=float) - p)))


def _mape(y: np.ndarray, p: np.ndarray) -> float:
    truth = np.asarray(y, dtype=float)
    return float(np.mean(np.abs(truth - p) / np.maximum(np.abs(truth), np.finfo(float).eps)))


def _r2(y: np.ndarray, p: np.ndarray) -> float:
    truth = np.asarray(y, dtype=float)
    total = float(np.sum((truth - truth.mean()) ** 2))
    return 0.0 if total == 0 else 1.0 - float(np.sum((truth - p) ** 2)) / total


_CLASSIFICATION: list[tuple[str, bool, Scorer]] = [
    ("roc_auc", True, _roc_auc),
    ("log_loss", False, _log_loss),
    ("accuracy", True, _accuracy),
    ("balanced_accuracy", True, _balanced_accuracy),
    ("f1_macro", True, _averaged("f1", "macro")),
    ("f1_weighted", True, _averaged("f1", "weighted")),
    ("precision_macro", True, _averaged("precision", "macro")),
    ("recall_macro", True, _averaged("recall", "macro")),
    ("precision_weighted", True, _averaged("precision", "weighted")),
    ("recall_weighted", True, _averaged("recall", "weighted")),
    ("pr_auc", True, _pr_auc),
    ("mcc", True, _mcc),
]
_REGRESSION: list[tuple[str, bool, Scorer]] = [
    ("rmse", False, _rmse),
    ("mse", False, _mse),
    ("mae", False, _mae),
    ("mape", False, _mape),
    ("r2", True, _r2),
]

METRICS: dict[str, Metric] = {
    **{name: Metric(name, "classification", up, fn) for name, up, fn in _CLASSIFICATION},
    **{name: Metric(name, "regression", up, fn) for name, up, fn in _REGRESSION},
}


def full_report(task: Task, y: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    """Every metric of the task that can be computed on this data (finite values only)."""
    scores: dict[str, float] = {}
    for metric in METRICS.values():
        if metric.task != task:
            continue
        try:
            value = metric.score(y, prediction)
        except ValueError:  # e.g. AUC when the split holds a single class
            continue
        if math.isfinite(value):
            scores[metric.name] = value
    return scores


def confusion(y: np.ndarray, proba: np.ndarray) -> list[list[int]]:
    """Confusion matrix as plain ints: rows are true classes, columns predicted ones."""
    return [[int(v) for v in row] for row in _matrix(y, proba)]


def plain(value: Any) -> Any:
    """NumPy scalars to Python ones, so values serialise to JSON."""
    return value.item() if hasattr(value, "item") else value
