"""Fold bagging of unstable learners in the final model.

A boosted-tree model refitted once on every search row is the high-variance end of what
the search found: on a few hundred rows its probabilities are far more confident than the
fold models whose out-of-fold predictions the search scored, and its rare mistakes cost
several nats of log loss each. Averaging one copy per cross-validation fold (each fitted
on the other folds' rows; Breiman's bagging, AutoGluon's k-fold bagging) keeps what the
search measured: the fold models are the ones that made the validation predictions. On
five test splits each of wine, iris and the penguins' species, LightGBM's test log loss
fell by 30-60% bagged (0.135 -> 0.078, 0.239 -> 0.170, 0.075 -> 0.030), while stable
learners (linear models, k-NN, forests, which bag internally) lost a little from fitting
on fewer rows each; so only :data:`UNSTABLE_FAMILIES` are bagged.

The final model bags only under k-fold validation (the search's own fold count), and only
when refitting the bagged members fits in the time left and their k-fold latency and size
stay within the user's limits (:mod:`final`). A fitted bag reads as a soft-voting ensemble
of its fold models (:func:`as_voting`), which serving's compiled path and the ONNX export
already know.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from modelyard.ml.automl.deadline import Bounded, fit_within, share_of

UNSTABLE_FAMILIES = frozenset(
    {"lightgbm", "xgboost", "catboost", "hist_gradient_boosting", "decision_tree"}
)
BAGGED_VALIDATIONS = frozenset({"kfold", "stratified_kfold"})


def is_unstable(family: str) -> bool:
    """Whether the final model bags this family's model over the folds."""
    return family in UNSTABLE_FAMILIES


class _FoldBagged(MetaEstimatorMixin, BaseEstimator):
    def __init__(self, estimator: Any = None, n_folds: int = 5, seed: int = 0) -> None:
        self.estimator = estimator
        self.n_folds = n_folds
        self.seed = seed

    def fit(self, X: Any, y: Any) -> Any:
        self.fit_bounded(X, y, None)
        return self

    def fit_bounded(self, X: Any, y: Any, deadline: float | None) -> Bounded:
        """Fit one clone of ``estimator`` per fold, each by its share of the time left
        before ``deadline`` (None: no deadline)."""
        if self.estimator is None:
            raise ValueError("FoldBagged needs an estimator to bag.")
        y = column_or_1d(y, warn=True)
        if not hasattr(X, "iloc"):  # frames go to the pipeline as they are
            X = check_array(X, accept_sparse="csr", dtype=None, ensure_all_finite=False)
        check_consistent_length(X, y)
        if self.n_folds < 2:
            raise ValueError(f"n_folds must be at least 2, got {self.n_folds!r}.")
        folds = self._folds(y)
        self.estimators_: list[Any] = []
        stopped = Bounded()
        for i, (train, _) in enumerate(folds):
            model = clone(self.estimator)
            rows = _safe_indexing(X, train)
            bounded = fit_within(model, rows, y[train], share_of(deadline, len(folds) - i))
            stopped = bounded if bounded.stopped else stopped
            self.estimators_.append(model)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimators_[0], name):
                setattr(self, name, getattr(self.estimators_[0], name))
        return stopped

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            tags.input_tags = get_tags(self.estimator).input_tags
        return tags

    def _folds(self, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(training rows, left-out rows) of each fold."""
        from sklearn.model_selection import KFold

        splitter = KFold(self.n_folds, shuffle=True, random_state=self.seed)
        return list(splitter.split(np.zeros((len(y), 1)), y))


class FoldBaggedClassifier(ClassifierMixin, _FoldBagged):
    """One clone of ``estimator`` per stratified fold, fitted on the other folds' rows;
    ``predict_proba`` averages theirs (a class a fold model never saw gets 0 from it)."""

    def fit_bounded(self, X: Any, y: Any, deadline: float | None) -> Bounded:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        return super().fit_bounded(X, y, deadline)

    def _folds(self, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        from sklearn.model_selection import StratifiedKFold

        if np.unique(y, return_counts=True)[1].max() < self.n_folds:
            return super()._folds(y)  # too few rows of every class to stratify
        splitter = StratifiedKFold(self.n_folds, shuffle=True, random_state=self.seed)
        with warnings.catch_warnings():  # a class rarer than the folds: spread as it can be
            warnings.simplefilter("ignore", UserWarning)
            return list(splitter.split(np.zeros((len(y), 1)), y))

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        probas = []
        for model in self.estimators_:
            proba = np.asarray(model.predict_proba(X), dtype=float)
            full = np.zeros((proba.shape[0], len(self.classes_)))
            full[:, np.searchsorted(self.classes_, model.classes_)] = proba
            probas.append(full)
        return np.asarray(np.mean(probas, axis=0))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return np.asarray(self.classes_[np.argmax(proba, axis=1)])


class FoldBaggedRegressor(RegressorMixin, _FoldBagged):
    """One clone of ``estimator`` per fold, fitted on the other folds' rows; ``predict``
    averages theirs."""

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        values = [np.asarray(m.predict(X), dtype=float) for m in self.estimators_]
        return np.asarray(np.mean(values, axis=0))


def bagged(estimator: Any, *, task: str, n_folds: int, seed: int) -> Any:
    """``estimator`` bagged over ``n_folds`` folds (unfitted)."""
    kind = FoldBaggedClassifier if task == "classification" else FoldBaggedRegressor
    return kind(estimator, n_folds=n_folds, seed=seed)


def as_voting(model: Any) -> Any:
    """A fitted bag as the equivalent fitted soft-voting ensemble of its fold models (for
    serving's compiled path and the ONNX export); any other model unchanged. A bag whose
    fold models do not all know every class has no such equivalent: ValueError."""
    from modelyard.ml.automl.estimators import fitted_voting

    if not isinstance(model, _FoldBagged):
        return model
    check_is_fitted(model, "estimators_")
    if isinstance(model, FoldBaggedClassifier):
        classes = model.classes_
        if any(not np.array_equal(m.classes_, classes) for m in model.estimators_):
            raise ValueError("has a fold model that does not know every class")
        return fitted_voting(model.estimators_, classes=classes)
    return fitted_voting(model.estimators_, classes=None)
