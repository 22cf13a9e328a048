"""Feature selection: rank the preprocessed features, keep the best, as a pipeline step.

Methods: ``variance`` and ``mutual_info`` (filters), ``rfe`` (wrapper: recursive feature
elimination with a linear model), ``l1`` and ``tree_importance`` (embedded),
``permutation`` (permutation importance of a small forest on a held-back quarter) and
``neural`` (stochastic gates, :mod:`modelyard.ml.automl.neural_selector`). ``auto``
selects only when there are more than :data:`AUTO_MIN_FEATURES` columns (by mutual
information). Without ``max_features`` the features scoring at least 1% of the best
score are kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from modelyard.ml.automl.options import SELECTION_METHODS

AUTO_MIN_FEATURES = 100
MAX_SCORING_ROWS = 20_000  # scores are taken on a seeded sample of larger data
_KEEP_SHARE = 0.01


class FeatureSelector(TransformerMixin, BaseEstimator):
    """Scores every input column with ``method`` and keeps the best ``max_features``.

    After ``fit``: ``scores_`` (one per input column), ``support_`` (the kept columns),
    ``method_`` (the method used; ``none`` when ``auto`` kept everything) and
    :meth:`ranking` (feature, score, selected, method; best first).
    """

    def __init__(
        self,
        method: str = "mutual_info",
        max_features: int | None = None,
        task: str = "classification",
        random_state: int = 0,
    ) -> None:
        self.method = method
        self.max_features = max_features
        self.task = task
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> FeatureSelector:
        if self.method not in ("auto", *SELECTION_METHODS):
            raise ValueError(
                f"Unknown feature selection method {self.method!r}; "
                f"use auto or one of {', '.join(SELECTION_METHODS)}."
            )
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        values = check_array(X, dtype=np.float64, ensure_all_finite="allow-nan")
        y = np.asarray(y)
        self.n_features_in_ = values.shape[1]
        method = self.method
        if method == "auto":
            method = "mutual_info" if values.shape[1] > AUTO_MIN_FEATURES else "none"
        self.method_ = method
        if method == "none":
            self.scores_ = np.ones(values.shape[1])
            self.support_ = np.ones(values.shape[1], dtype=bool)
            return self
        if len(values) > MAX_SCORING_ROWS:
            rows = np.random.default_rng(self.random_state).choice(
                len(values), MAX_SCORING_ROWS, replace=False
            )
            values, y = values[np.sort(rows)], y[np.sort(rows)]
        filled = _fill_missing(values)
        self.scores_ = np.nan_to_num(
            score_features(method, filled, y, task=self.task, seed=self.random_state)
        )
        self.support_ = self._support(
            AUTO_MIN_FEATURES if self.method == "auto" and not self.max_features else None
        )
        return self

    def _support(self, default_k: int | None) -> np.ndarray:
        scores = self.scores_
        order = np.argsort(-scores, kind="stable")
        k = self.max_features or default_k
        if k is None:
            best = max(float(scores.max()), 0.0)
            k = int(np.sum(scores >= _KEEP_SHARE * best)) if best > 0 else len(scores)
        support = np.zeros(len(scores), dtype=bool)
        support[order[: max(1, min(k, len(scores)))]] = True
        return support

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "support_")
        values = check_array(X, dtype=np.float64, ensure_all_finite="allow-nan")
        if values.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {values.shape[1]} features, but FeatureSelector is expecting "
                f"{self.n_features_in_} features as input."
            )
        return values[:, self.support_]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "support_")
        return np.asarray(self._names(input_features), dtype=object)[self.support_]

    def _names(self, input_features: Any = None) -> list[str]:
        if input_features is not None:
            return [str(name) for name in input_features]
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{i}" for i in range(self.n_features_in_)]

    def ranking(self, feature_names: Any = None) -> list[dict[str, Any]]:
        """Every input feature, best first: feature, score, selected, method."""
        check_is_fitted(self, "support_")
        names = self._names(feature_names)
        order = np.argsort(-self.scores_, kind="stable")
        return [
            {
                "feature": names[i],
                "score": float(self.scores_[i]),
                "selected": bool(self.support_[i]),
                "method": self.method_,
            }
            for i in order
        ]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        return tags


def _fill_missing(values: np.ndarray) -> np.ndarray:
    """Missing values as the column median (0 for an empty column), for scoring only."""
    if not np.isnan(values).any():
        return values
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            medians = np.nan_to_num(np.nanmedian(values, axis=0))
    return np.where(np.isnan(values), medians, values)


def _standardised(values: np.ndarray) -> np.ndarray:
    std = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)


def score_features(method: str, X: np.ndarray, y: np.ndarray, *, task: str, seed: int) -> Any:
    """One score per column (higher is better) by ``method``."""
    is_classification = task == "classification"
    if method == "variance":
        return X.var(axis=0)
    if method == "mutual_info":
        from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

        score = mutual_info_classif if is_classification else mutual_info_regression
        return score(X, y, random_state=seed)
    if method == "rfe":
        return _rfe_scores(_standardised(X), y, is_classification=is_classification)
    if method == "l1":
        return _l1_scores(_standardised(X), y, is_classification=is_classification, seed=seed)
    if method == "tree_importance":
        forest = _forest(is_classification, seed, n_estimators=100).fit(X, y)
        return forest.feature_importances_
    if method == "permutation":
        return _permutation_scores(X, y, is_classification=is_classification, seed=seed)
    if method == "neural":
        from modelyard.ml.automl.neural_selector import gate_scores

        return gate_scores(_standardised(X), y, task=task, seed=seed)
    raise ValueError(f"Unknown feature selection method {method!r}.")


def _linear(is_classification: bool, n_classes: int, *, l1: bool, seed: int) -> Any:
    from sklearn.linear_model import Lasso, LogisticRegression, Ridge

    if not is_classification:
        return Lasso(alpha=0.01, max_iter=5000, random_state=seed) if l1 else Ridge(alpha=1.0)
    if not l1:
        return LogisticRegression(max_iter=1000)
    solver = "liblinear" if n_classes <= 2 else "saga"
    return LogisticRegression(C=0.5, l1_ratio=1.0, solver=solver, max_iter=1000, random_state=seed)


def _rfe_scores(X: np.ndarray, y: np.ndarray, *, is_classification: bool) -> np.ndarray:
    from sklearn.feature_selection import RFE

    n = X.shape[1]
    target = _scaled_target(y, is_classification)
    model = _linear(is_classification, len(np.unique(y)), l1=False, seed=0)
    rfe = RFE(model, n_features_to_select=1, step=1 if n <= 50 else 0.1).fit(X, target)
    return (n - rfe.ranking_ + 1) / n


def _l1_scores(X: np.ndarray, y: np.ndarray, *, is_classification: bool, seed: int) -> Any:
    target = _scaled_target(y, is_classification)
    model = _linear(is_classification, len(np.unique(y)), l1=True, seed=seed).fit(X, target)
    coef = np.atleast_2d(model.coef_)
    return np.abs(coef).sum(axis=0)


def _scaled_target(y: np.ndarray, is_classification: bool) -> np.ndarray:
    if is_classification:
        return y
    values = y.astype(float)
    return (values - values.mean()) / (values.std() or 1.0)


def _forest(is_classification: bool, seed: int, *, n_estimators: int) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    cls = ExtraTreesClassifier if is_classification else ExtraTreesRegressor
    return cls(n_estimators=n_estimators, min_samples_leaf=2, random_state=seed, n_jobs=1)


def _permutation_scores(
    X: np.ndarray, y: np.ndarray, *, is_classification: bool, seed: int
) -> np.ndarray:
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    stratify = (
        y
        if is_classification and np.bincount(np.unique(y, return_inverse=True)[1]).min() >= 2
        else None
    )
    X_fit, X_val, y_fit, y_val = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=stratify
    )
    model = _forest(is_classification, seed, n_estimators=50).fit(X_fit, y_fit)
    result = permutation_importance(model, X_val, y_val, n_repeats=5, random_state=seed, n_jobs=1)
    return np.asarray(result.importances_mean)
