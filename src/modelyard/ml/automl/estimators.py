"""Small scikit-learn meta-estimators the engine wraps its models in."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d


def aligned_proba(model: Any, X: Any, n_classes: int) -> np.ndarray:
    """``predict_proba`` with one column per class ``0 .. n_classes-1``.

    A model fitted on a fold that missed a rare class knows fewer classes; its columns are
    placed by ``model.classes_`` and the missing classes get probability 0.
    """
    proba = np.asarray(model.predict_proba(X), dtype=float)
    known = np.asarray(model.classes_).astype(int)
    if proba.shape[1] == n_classes and np.array_equal(known, np.arange(n_classes)):
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, known] = proba
    return full


class LabelEncodedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fits ``estimator`` on labels encoded as ``0 .. k-1`` and answers in the original labels.

    Gives learners that only accept contiguous integer labels (XGBoost) any labels, and
    gives every wrapped model ``predict`` consistent with ``predict_proba`` (the most
    probable class). ``X`` is handed to the estimator unchanged (pandas frames included).
    """

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LabelEncodedClassifier:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.label_encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.label_encoder_.classes_
        base = LogisticRegression() if self.estimator is None else self.estimator
        self.estimator_ = clone(base).fit(X, self.label_encoder_.transform(y), **fit_params)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return aligned_proba(self.estimator_, X, len(self.classes_))

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = LogisticRegression() if self.estimator is None else self.estimator
        tags.input_tags = get_tags(inner).input_tags
        return tags
