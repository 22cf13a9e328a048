"""The model step of a pipeline under the options: interactions, then resampling.

``build_model`` is what trials and the final refit call instead of ``family.make``:
with ``interactions`` the family's learner gets degree-2 polynomial features first
(linear, SVM and k-NN only); with ``resampling`` (classification) it is fitted on a
rebalanced sample (:class:`~modelyard.ml.automl.resampling.ResampledClassifier`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.utils.validation import check_is_fitted

from modelyard.ml.automl.families import Family, FamilyContext, Params
from modelyard.ml.automl.options import PrepOptions

INTERACTION_FAMILIES = frozenset({"linear", "svm", "knn"})
MAX_INTERACTION_INPUTS = 40  # 40 inputs give 860 columns; more would explode


class InteractionFeatures(TransformerMixin, BaseEstimator):
    """Degree-2 polynomial features (squares and pairwise products) of the inputs; with
    more than ``max_inputs`` columns the inputs pass through unchanged."""

    def __init__(self, max_inputs: int = MAX_INTERACTION_INPUTS) -> None:
        self.max_inputs = max_inputs

    def fit(self, X: Any, y: Any = None) -> InteractionFeatures:
        values = np.asarray(X, dtype=float)
        self.n_features_in_ = values.shape[1]
        self.is_expanded_ = values.shape[1] <= self.max_inputs
        if self.is_expanded_:
            self.poly_ = PolynomialFeatures(degree=2, include_bias=False).fit(values)
        return self

    def transform(self, X: Any) -> Any:
        check_is_fitted(self, "is_expanded_")
        values = np.asarray(X, dtype=float)
        return self.poly_.transform(values) if self.is_expanded_ else values


def build_model(family: Family, params: Params, ctx: FamilyContext, prep: PrepOptions) -> Any:
    """The family's (unfitted) learner with the options' interactions and resampling."""
    settings = dict(params)
    wants = prep.interactions == "always" and family.name in INTERACTION_FAMILIES
    interactions = bool(settings.pop("interactions", wants))
    model = family.make(settings, ctx)
    if interactions:
        model = Pipeline([("interactions", InteractionFeatures()), ("model", model)])
    if prep.resampling != "none" and ctx.task == "classification":
        from modelyard.ml.automl.resampling import ResampledClassifier

        model = ResampledClassifier(model, strategy=prep.resampling, random_state=ctx.seed)
    return model
