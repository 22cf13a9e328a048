"""Decision threshold for binary classification: tuned for a metric or a cost matrix.

``tune_threshold`` picks, on out-of-fold (validation) probabilities of the positive
class, the cut-off that maximises ``metric`` or minimises the expected cost of a
``cost_matrix`` ``[[tn_cost, fp_cost], [fn_cost, tp_cost]]``. ``ThresholdClassifier``
carries it inside the saved pipeline: ``predict`` uses the tuned cut-off, and
``predict_proba`` is the wrapped model's, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

_GRID = 99


def _confusion(y: np.ndarray, positive: np.ndarray) -> tuple[float, float, float, float]:
    tp = float(np.sum(positive & (y == 1)))
    fp = float(np.sum(positive & (y == 0)))
    fn = float(np.sum(~positive & (y == 1)))
    tn = float(np.sum(~positive & (y == 0)))
    return tn, fp, fn, tp


def metric_value(name: str, tn: float, fp: float, fn: float, tp: float) -> float:
    """The metric ``name`` from a 2x2 confusion count (0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    specificity = tn / (tn + fp) if tn + fp else 0.0
    if name == "f1":
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if name == "balanced_accuracy":
        return (recall + specificity) / 2
    if name == "accuracy":
        return (tp + tn) / max(tp + tn + fp + fn, 1.0)
    if name == "precision":
        return precision
    if name == "recall":
        return recall
    if name == "mcc":
        denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return float((tp * tn - fp * fn) / denominator) if denominator else 0.0
    raise ValueError(f"Unknown threshold metric {name!r}.")


def expected_cost(
    cost_matrix: Sequence[Sequence[float]], tn: float, fp: float, fn: float, tp: float
) -> float:
    """Mean cost per row of these counts under ``[[tn_cost, fp_cost], [fn_cost, tp_cost]]``."""
    (c_tn, c_fp), (c_fn, c_tp) = cost_matrix
    total = tn + fp + fn + tp
    return (c_tn * tn + c_fp * fp + c_fn * fn + c_tp * tp) / max(total, 1.0)


def tune_threshold(
    y: Any,
    positive_proba: Any,
    *,
    metric: str | None = None,
    cost_matrix: Sequence[Sequence[float]] | None = None,
) -> float:
    """The cut-off on the positive-class probability (``y`` in 0/1) that is best for the
    metric, or cheapest for the cost matrix; ties go to the cut-off nearest 0.5."""
    if (metric is None) == (cost_matrix is None):
        raise ValueError("Give exactly one of metric and cost_matrix.")
    labels = np.asarray(y).astype(int)
    proba = np.asarray(positive_proba, dtype=float)
    candidates = np.linspace(0.01, 0.99, _GRID)
    values = []
    for threshold in candidates:
        counts = _confusion(labels, proba >= threshold)
        if cost_matrix is not None:
            values.append(-expected_cost(cost_matrix, *counts))
        else:
            assert metric is not None
            values.append(metric_value(metric, *counts))
    scores = np.asarray(values)
    best = np.flatnonzero(np.isclose(scores, scores.max()))
    return float(candidates[best[np.argmin(np.abs(candidates[best] - 0.5))]])


class ThresholdClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Predicts the second class when its probability is at least ``threshold``.

    For two classes only; with more it predicts the most probable class. ``fit`` fits a
    clone of ``estimator``; ``predict_proba`` is the fitted estimator's.
    """

    def __init__(self, estimator: Any = None, threshold: float = 0.5) -> None:
        self.estimator = estimator
        self.threshold = threshold

    def _base(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression() if self.estimator is None else self.estimator

    def fit(self, X: Any, y: Any, **fit_params: Any) -> ThresholdClassifier:
        if not 0.0 < float(self.threshold) < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {self.threshold!r}.")
        self.estimator_ = clone(self._base()).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        if len(self.classes_) != 2:
            return np.asarray(self.classes_[np.argmax(proba, axis=1)])
        return np.asarray(self.classes_[(proba[:, 1] >= self.threshold).astype(int)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags = get_tags(self._base()).input_tags
        return tags
