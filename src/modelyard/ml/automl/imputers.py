"""Numeric imputers whose missing-value indicators only mark commonly missing features.

scikit-learn's ``add_indicator`` adds a 0/1 column for every feature with at least one
missing training value. An indicator that is on for one or two rows lets a weakly
regularised learner memorise those rows, and cross-validation cannot see it: a fold
trained without them has no indicator at all. (In the penguins data the one training row
with every measurement missing is an Adelie; a logistic regression learned "missing means
Adelie" and was certain of it for a Gentoo with every measurement missing.) These imputers
keep an indicator only for a feature missing in at least ``MIN_INDICATOR_ROWS`` training
rows; the imputation itself is scikit-learn's, unchanged.

``GroupMedianImputer`` (the default for the families that need imputed inputs) also looks
at the row's categorical columns: a missing number becomes the median of the training rows
in the same group (say, the same island) instead of the median of all rows. A row with
every measurement missing then lands among its own group rather than between groups, where
a linear model can be confidently wrong. (In the penguins data a Gentoo from Biscoe with
no measurements was imputed to the all-penguin medians, which look Adelie; Biscoe's
medians are Gentoo's.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.impute._base import _BaseImputer
from sklearn.utils.validation import check_is_fitted

MIN_INDICATOR_ROWS = 10
MIN_GROUP_ROWS = 10  # a group's median fills only when this many of its rows know the value
MIN_ASSOCIATION = 0.1  # the share of a column's variance its groups must explain (adjusted)
ASSOCIATION_ROWS = 50_000  # rows enough to judge that share


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


class GroupMedianImputer(TransformerMixin, BaseEstimator):
    """Median imputation, by group where a categorical column tells the groups apart.

    Input: the numeric columns followed by ``n_groups`` categorical ones. Output: what
    ``CommonIndicatorSimpleImputer(strategy="median", add_indicator=True)`` gives on the
    numeric columns (``imputer_``, indicators included), except that a missing value of a
    feature that had missing training values is the median of its group: the training rows
    with the same level of the categorical column that explains most of the feature's
    variance (at least ``MIN_ASSOCIATION``, adjusted for the number of levels), for levels
    with ``MIN_GROUP_ROWS`` known values. Other rows (a level unseen or too small, the
    group missing) get the overall median. ``fills_`` holds, per filled feature, its
    position in the output, the group column (0-based among the groups), the levels and
    their medians.
    """

    def __init__(self, n_groups: int = 0) -> None:
        self.n_groups = n_groups

    def fit(self, X: Any, y: Any = None) -> GroupMedianImputer:
        frame, numbers = self._numbers(X)
        self.n_features_in_ = frame.shape[1]
        self.imputer_ = CommonIndicatorSimpleImputer(strategy="median", add_indicator=True)
        self.imputer_.fit(numbers)
        kept = ~np.isnan(np.asarray(self.imputer_.statistics_, dtype=float))
        position = np.cumsum(kept) - 1
        self.fills_: list[tuple[int, int, np.ndarray, np.ndarray]] = []
        incomplete = np.flatnonzero(kept & np.isnan(numbers).any(axis=0))
        if not len(incomplete):  # nothing to fill: spare the text cast of the groups
            return self
        groups = self._groups(frame)
        coded = [pd.factorize(groups[:, g]) for g in range(groups.shape[1])]  # NaN: -1
        for j in incomplete:
            fill = _group_medians(numbers[:, j], coded)
            if fill is not None:
                self.fills_.append((int(position[j]), *fill))
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "imputer_")
        frame, numbers = self._numbers(X)
        out = np.asarray(self.imputer_.transform(numbers), dtype=np.float64)
        kept = np.flatnonzero(~np.isnan(np.asarray(self.imputer_.statistics_, dtype=float)))
        filled = [kept[position] for position, *_ in self.fills_]
        rows = np.flatnonzero(np.isnan(numbers[:, filled]).any(axis=1))
        if not len(rows):
            return out
        groups = self._groups(frame.iloc[rows])
        for position, group, levels, medians in self.fills_:
            missing = np.isnan(numbers[rows, kept[position]])
            found = pd.Index(levels).get_indexer(groups[missing, group])
            out[rows[missing][found >= 0], position] = medians[found[found >= 0]]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "imputer_")
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        names = np.asarray(input_features, dtype=object)[: self.n_numbers]
        return np.asarray(self.imputer_.get_feature_names_out(names), dtype=object)

    @property
    def n_numbers(self) -> int:
        """How many leading input columns are numeric (the rest name the groups)."""
        return int(self.n_features_in_) - self.n_groups

    def _numbers(self, X: Any) -> tuple[pd.DataFrame, np.ndarray]:
        frame = pd.DataFrame(X)
        numeric = frame.iloc[:, : frame.shape[1] - self.n_groups]
        numbers = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
        return frame, numbers

    def _groups(self, frame: pd.DataFrame) -> np.ndarray:
        """The group columns as text (``str(value)``, missing as NaN), like ``as_text``
        but one vectorised cast per column (``as_text`` calls Python per value)."""
        groups = frame.iloc[:, frame.shape[1] - self.n_groups :]
        out = np.full(groups.shape, np.nan, dtype=object)
        for j in range(groups.shape[1]):
            column = groups.iloc[:, j]
            known = column.notna().to_numpy()
            out[known, j] = column[known].astype(str).to_numpy(dtype=object)
        return out


def _group_medians(
    values: np.ndarray, coded: list[tuple[np.ndarray, Any]]
) -> tuple[int, np.ndarray, np.ndarray] | None:
    """The group column (as codes and levels, ``pd.factorize``) that explains most of
    ``values``' variance, judged on at most ``ASSOCIATION_ROWS`` rows; its levels with
    enough known values and their medians. None when no column explains enough."""
    known = ~np.isnan(values)
    shares = []
    for codes, _ in coded:
        rows = np.flatnonzero(known & (codes >= 0))
        if len(rows) > ASSOCIATION_ROWS:  # evenly spaced: deterministic, every part
            rows = rows[np.linspace(0, len(rows) - 1, ASSOCIATION_ROWS).astype(int)]
        shares.append(_explained(values[rows], codes[rows]))
    for g in sorted(range(len(coded)), key=lambda g: -shares[g]):
        if shares[g] < MIN_ASSOCIATION:
            break
        codes, levels = coded[g]
        rows = known & (codes >= 0)
        by_level = pd.Series(values[rows]).groupby(codes[rows])
        sizes = by_level.size()
        large = sizes.to_numpy() >= MIN_GROUP_ROWS
        if large.any():
            medians = by_level.median().to_numpy(dtype=np.float64)[large]
            return g, np.asarray(levels, dtype=object)[sizes.index[large]], medians
    return None


def _explained(values: np.ndarray, codes: np.ndarray) -> float:
    """The share of the variance of ``values`` between the means of the levels ``codes``
    (0 .. k-1) marks, adjusted for the number of levels (epsilon squared: about 0 for levels
    that have nothing to do with the values, where the plain share is (k - 1) / (n - 1))."""
    counts = np.bincount(codes)
    n, k = len(values), int((counts > 0).sum())
    total = float(np.var(values)) * n if n > k else 0.0
    if total <= 0.0:
        return 0.0
    centred = values - values.mean()
    sums = np.bincount(codes, weights=centred)
    between = float((sums[counts > 0] ** 2 / counts[counts > 0]).sum())
    return 1.0 - (total - between) / total * (n - 1) / (n - k)
