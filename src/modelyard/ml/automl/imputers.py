"""Numeric imputers whose missing-value indicators only mark commonly missing features.

scikit-learn's ``add_indicator`` adds a 0/1 column for every feature with at least one
missing training value. An indicator that is on for one or two rows lets a weakly
regularised learner memorise those rows, and cross-validation cannot see it: a fold
trained without them has no indicator at all. (In the penguins data the one training row
with every measurement missing is an Adelie; a logistic regression learned "missing means
Adelie" and was certain of it for a Gentoo with every measurement missing.) These imputers
keep an indicator only for a feature missing in at least ``MIN_INDICATOR_ROWS`` training
rows; the imputation itself is scikit-learn's, unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.impute._base import _BaseImputer

MIN_INDICATOR_ROWS = 10


class _CommonIndicatorsOnly(_BaseImputer):
    """Trims the fitted indicator to features missing in enough training rows.

    ``_fit_indicator`` is the hook every scikit-learn imputer reaches through
    ``super()`` with its fitted missing-value mask; listed after the imputer class, this
    class sits between it and ``_BaseImputer``. A unit test pins the behaviour.
    """

    def _fit_indicator(self, X: Any) -> None:
        super()._fit_indicator(X)
        if self.indicator_ is None:
            return
        counts = np.asarray(X.sum(axis=0)).ravel()
        features = self.indicator_.features_
        self.indicator_.features_ = features[counts[features] >= MIN_INDICATOR_ROWS]


class CommonIndicatorSimpleImputer(SimpleImputer, _CommonIndicatorsOnly):
    """``SimpleImputer`` with indicators for commonly missing features only."""


class CommonIndicatorKNNImputer(KNNImputer, _CommonIndicatorsOnly):
    """``KNNImputer`` with indicators for commonly missing features only."""


class CommonIndicatorIterativeImputer(IterativeImputer, _CommonIndicatorsOnly):
    """``IterativeImputer`` with indicators for commonly missing features only."""
