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

from modelyard.ml.automl.config import AutoMLConfig

Candidate = tuple[str, dict[str, Any]]  # family, hyperparameters
HDBSCAN_MAX_ROWS = 20_000


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


def candidates(config: AutoMLConfig, n_rows: int) -> list[Candidate]:
    """The configurations to try, in order (cheap and diverse first: the budget may end it)."""
    if config.task == "anomaly":
        contamination = config.contamination if config.contamination is not None else "auto"
        forests: list[Candidate] = [
            ("isolation_forest", {"n_estimators": n, "contamination": contamination})
            for n in (100, 300)
        ]
        lofs: list[Candidate] = [
            ("local_outlier_factor", {"n_neighbors": k, "contamination": contamination})
            for k in (20, 10, 35)
            if k < n_rows // 2
        ]
        return [forests[0], *lofs[:1], *forests[1:], *lofs[1:]]
    top = max(2, min(10, n_rows // 10))
    ks = [config.n_clusters] if config.n_clusters else list(range(2, top + 1))
    kmeans: list[Candidate] = [("kmeans", {"n_clusters": k}) for k in ks]
    mixtures: list[Candidate] = [
        ("gaussian_mixture", {"n_components": k, "covariance_type": kind})
        for kind in ("full", "diag")
        for k in ks
    ]
    densities: list[Candidate] = []
    if config.n_clusters is None and n_rows <= HDBSCAN_MAX_ROWS:
        sizes = sorted({5, 15, max(5, n_rows // 50)})
        densities = [("hdbscan", {"min_cluster_size": m}) for m in sizes]
    return [*kmeans, *densities, *mixtures]


def make_estimator(trial: Candidate, config: AutoMLConfig) -> Any:
    """The unfitted scikit-learn estimator of one configuration, seeded."""
    from sklearn.cluster import HDBSCAN, KMeans
    from sklearn.ensemble import IsolationForest
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import LocalOutlierFactor

    family, params = trial
    seed = config.seed
    if family == "kmeans":
        return KMeans(**params, n_init=4, random_state=seed)
    if family == "gaussian_mixture":
        return GaussianMixture(**params, random_state=seed)
    if family == "hdbscan":
        return HDBSCAN(**params, copy=True)
    if family == "isolation_forest":
        return IsolationForest(**params, random_state=seed, n_jobs=1)
    return LocalOutlierFactor(**params, novelty=True)


def wrap(task: str, estimator: Any) -> Any:
    """The estimator behind our predict contract (cluster id, or anomaly flag and score)."""
    return ClusterModel(estimator) if task == "clustering" else AnomalyModel(estimator)
