"""Class-imbalance resampling that happens only while fitting.

``ResampledClassifier`` wraps a classifier: ``fit`` draws a rebalanced sample
(random oversampling of the smaller classes, random undersampling of the larger ones,
or SMOTE from imbalanced-learn, the ``imbalance`` extra) and fits the estimator on it;
``predict`` and ``predict_proba`` see the rows as given, never resampled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

STRATEGIES = ("oversample", "undersample", "smote")


def resample_rows(y: np.ndarray, strategy: str, seed: int) -> np.ndarray:
    """Row positions of a class-balanced random over- or under-sample."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    size = counts.max() if strategy == "oversample" else counts.min()
    picks = []
    for label, count in zip(classes, counts, strict=True):
        rows = np.flatnonzero(y == label)
        if count == size:
            picks.append(rows)
        else:
            picks.append(rng.choice(rows, size=size, replace=strategy == "oversample"))
    return np.sort(np.concatenate(picks))


class ResampledClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fits ``estimator`` on a rebalanced sample; predicts on the rows as given."""

    def __init__(
        self, estimator: Any = None, strategy: str = "oversample", random_state: int = 0
    ) -> None:
        self.estimator = estimator
        self.strategy = strategy
        self.random_state = random_state

    def _base(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression() if self.estimator is None else self.estimator

    def fit(self, X: Any, y: Any, **fit_params: Any) -> ResampledClassifier:
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"Unknown resampling {self.strategy!r}; use one of {', '.join(STRATEGIES)}."
            )
        labels = np.asarray(y)
        has_missing = (
            np.isnan(np.asarray(X, dtype=float)).any() if self.strategy == "smote" else False
        )
        if self.strategy == "smote" and not has_missing:
            X_fit, y_fit = _smote(X, labels, self.random_state)
        else:
            # SMOTE cannot interpolate missing values: random oversampling stands in
            strategy = "oversample" if self.strategy == "smote" else self.strategy
            rows = resample_rows(labels, strategy, self.random_state)
            X_fit = X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
            y_fit = labels[rows]
        self.n_fit_rows_ = len(y_fit)
        self.estimator_ = clone(self._base()).fit(X_fit, y_fit, **fit_params)
        self.classes_ = self.estimator_.classes_
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags = get_tags(self._base()).input_tags
        return tags


def _smote(X: Any, y: np.ndarray, seed: int) -> tuple[Any, np.ndarray]:
    try:
        from imblearn.over_sampling import SMOTE
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError(
            "resampling='smote' needs imbalanced-learn: pip install 'modelyard[imbalance]'."
        ) from exc
    smallest = int(np.unique(y, return_counts=True)[1].min())
    sampler = SMOTE(k_neighbors=max(1, min(5, smallest - 1)), random_state=seed)
    X_new, y_new = sampler.fit_resample(np.asarray(X, dtype=float), y)
    return X_new, np.asarray(y_new)
