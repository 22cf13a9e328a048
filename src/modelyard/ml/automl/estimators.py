"""Small scikit-learn meta-estimators the engine wraps its models in."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d


def aligned_proba(model: Any, X: Any, n_classes: int) -> np.ndarray:
    """``predict_proba`` with one column per class ``0 .. n_classes-1``.

    A model fitted on a fold that missed a rare class knows fewer classes; its columns are
    placed by ``model.classes_`` and the missing classes get probability 0.
    """
    return aligned(np.asarray(model.predict_proba(X), dtype=float), model.classes_, n_classes)


def aligned(proba: np.ndarray, known: Any, n_classes: int) -> np.ndarray:
    """``proba``, whose columns are the class codes ``known``, with one column per class
    ``0 .. n_classes-1`` (0 for the classes it does not know)."""
    codes = np.asarray(known).astype(int)
    if proba.shape[1] == n_classes and np.array_equal(codes, np.arange(n_classes)):
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, codes] = proba
    return full


def temperature_scaled(proba: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log(proba) / temperature)``: T < 1 sharpens, T > 1 softens, argmax kept."""
    if temperature == 1.0:
        return proba
    logits = np.log(np.clip(proba, 1e-15, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return np.asarray(scaled / scaled.sum(axis=1, keepdims=True))


PRIOR_VOTES = 0.03  # of one neighbour's vote, spread evenly over the classes


class SmoothedKNeighborsClassifier(KNeighborsClassifier):
    """k-NN whose probabilities are never exactly 0 or 1.

    scikit-learn's are the neighbours' vote shares: a class no neighbour votes for gets 0,
    which log loss prices at 34.5 nats (the 1e-15 clip) the first time such a row belongs
    to it. A model that was never wrong on the validation rows looks perfect there and
    may be chosen alone, then meets that row in production (iris: a test flower at 0 for
    its own class, 0.91 of the split's log loss; penguins: a 1-NN perfect on 206
    validation rows, wrong with certainty on two test rows). Here the shares count as
    ``n_neighbors`` votes, plus ``PRIOR_VOTES`` of a vote spread over the classes: with
    three classes a unanimous 15-NN gives its class 0.9987, a 1-NN 0.98 (0.02 nats on
    every validation row: no longer a perfect score), and a wrong class is at worst about
    0.03 / (classes x n_neighbors), 5-9 nats. The predicted class is unchanged. (0.1 of a
    vote did as well on penguins and iris; 0.03 taxes a confident ten-class k-NN less.)
    """

    def predict_proba(self, X: Any) -> Any:
        shares = np.asarray(super().predict_proba(X), dtype=np.float64)
        votes = min(self.n_neighbors, self.n_samples_fit_)
        return (shares * votes + PRIOR_VOTES / shares.shape[1]) / (votes + PRIOR_VOTES)


class LabelEncodedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fits ``estimator`` on labels encoded as ``0 .. k-1`` and answers in the original labels.

    Gives learners that only accept contiguous integer labels (XGBoost) any labels, and
    gives every wrapped model ``predict`` consistent with ``predict_proba`` (the most
    probable class). ``X`` is handed to the estimator unchanged (pandas frames included).
    ``temperature`` (fitted by :mod:`calibration`, 1 = unchanged) rescales the probabilities
    (:func:`temperature_scaled`); the predicted class never changes with it.
    """

    def __init__(self, estimator: Any = None, temperature: float = 1.0) -> None:
        self.estimator = estimator
        self.temperature = temperature

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
        proba = aligned_proba(self.estimator_, X, len(self.classes_))
        return temperature_scaled(proba, float(getattr(self, "temperature", 1.0)))

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = LogisticRegression() if self.estimator is None else self.estimator
        tags.input_tags = get_tags(inner).input_tags
        return tags


class StackedModel(BaseEstimator):
    """Stacking: ``members`` are refitted by ``fit``; ``meta`` was already fitted on their
    out-of-fold predictions during the search and is kept as it is (pass it wrapped in
    ``sklearn.frozen.FrozenEstimator`` so that ``clone`` keeps it fitted).

    For classification the labels are class codes ``0 .. n_classes-1`` (wrap it in
    :class:`LabelEncodedClassifier` for any labels).
    """

    def __init__(
        self,
        members: list[Any] | None = None,
        meta: Any = None,
        task: str = "classification",
        n_classes: int = 0,
    ) -> None:
        self.members = members
        self.meta = meta
        self.task = task
        self.n_classes = n_classes

    def fit(self, X: Any, y: Any) -> StackedModel:
        self.members_ = [clone(member).fit(X, y) for member in self.members or []]
        if self.task == "classification":
            self.classes_ = np.arange(self.n_classes)
        return self

    def _features(self, X: Any) -> np.ndarray:
        from modelyard.ml.automl.ensemble import stack_features

        check_is_fitted(self, "members_")
        if self.task == "classification":
            predictions = [aligned_proba(m, X, self.n_classes) for m in self.members_]
        else:
            predictions = [np.asarray(m.predict(X), dtype=float) for m in self.members_]
        return stack_features(predictions, self.task)

    def predict_proba(self, X: Any) -> np.ndarray:
        return aligned_proba(self.meta, self._features(X), self.n_classes)

    def predict(self, X: Any) -> np.ndarray:
        if self.task == "classification":
            return np.argmax(self.predict_proba(X), axis=1)
        return np.asarray(self.meta.predict(self._features(X)), dtype=float)


def fitted_voting(
    members: list[Any],
    *,
    classes: Any,
    weights: list[float] | None = None,
    names: list[str] | None = None,
) -> Any:
    """A soft-voting ensemble of already fitted ``members``, as ``fit`` would have left it:
    a ``VotingClassifier`` over ``classes`` (what the members were fitted on), or a
    ``VotingRegressor`` when ``classes`` is None."""
    from sklearn.ensemble import VotingClassifier, VotingRegressor
    from sklearn.utils import Bunch

    names = names or [f"member_{i}" for i in range(len(members))]
    estimators = list(zip(names, members, strict=True))
    voting: Any
    if classes is None:
        voting = VotingRegressor(estimators, weights=weights)
    else:
        voting = VotingClassifier(estimators, voting="soft", weights=weights)
        voting.le_ = LabelEncoder().fit(np.asarray(classes))
        voting.classes_ = voting.le_.classes_
    voting.estimators_ = list(members)
    voting.named_estimators_ = Bunch(**dict(estimators))
    return voting
