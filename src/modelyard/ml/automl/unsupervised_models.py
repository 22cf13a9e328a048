"""Estimators for the unsupervised tasks, with one predict contract whatever the learner.

``ClusterModel.predict`` answers a cluster id for any row, new rows included (HDBSCAN has
no ``predict`` of its own: new rows take the cluster of their nearest clustered training
row). ``AnomalyModel.predict`` answers 1 for an anomaly and 0 otherwise, and
``score_samples`` an anomaly score where HIGHER means MORE anomalous (the negation of
scikit-learn's convention), so a threshold reads naturally.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, OutlierMixin, clone
from sklearn.utils.validation import check_is_fitted


class ClusterModel(ClusterMixin, BaseEstimator):
    """Wraps k-means, a Gaussian mixture or HDBSCAN; ``labels_`` holds the training clusters."""

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any = None) -> ClusterModel:
        from sklearn.neighbors import KNeighborsClassifier

        self.estimator_ = clone(self.estimator)
        if hasattr(self.estimator_, "predict"):
            self.labels_ = np.asarray(self.estimator_.fit(X).predict(X))
            self.neighbors_ = None
        else:  # HDBSCAN: noise is -1; new rows join their nearest clustered row's cluster
            self.labels_ = np.asarray(self.estimator_.fit_predict(X))
            clustered = self.labels_ >= 0
            if not clustered.any():
                raise ValueError("every row was labelled noise; no cluster was found")
            self.neighbors_ = KNeighborsClassifier(n_neighbors=1).fit(
                np.asarray(X)[clustered], self.labels_[clustered]
            )
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "labels_")
        if self.neighbors_ is not None:
            return np.asarray(self.neighbors_.predict(X))
        return np.asarray(self.estimator_.predict(X))


class AnomalyModel(OutlierMixin, BaseEstimator):
    """Wraps IsolationForest or LocalOutlierFactor(novelty=True)."""

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any = None) -> AnomalyModel:
        self.estimator_ = clone(self.estimator).fit(X)
        # scikit-learn: an inlier has score_samples > offset_; ours is the negated score
        self.threshold_ = float(-self.estimator_.offset_)
        return self

    def score_samples(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return -np.asarray(self.estimator_.score_samples(X), dtype=float)

    def predict(self, X: Any) -> np.ndarray:
        return (self.score_samples(X) > self.threshold_).astype(int)
