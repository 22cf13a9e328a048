"""Preprocessing suggestions read from the data, each with a one-line reason.

They name option values (``imputation=iterative``, ``feature_selection=mutual_info``, ...)
the user can pass to a search; the search's own defaults stay as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modelyard.ml.automl.columns import ColumnKinds
from modelyard.ml.automl.targets import Task

if TYPE_CHECKING:
    from modelyard.ml.automl.recommend import DataProfile, Suggestion

MANY_FEATURES = 100
HEAVY_SKEW = 2.0


def preprocessing_suggestions(
    X: pd.DataFrame, profile: DataProfile, kinds: ColumnKinds, task: Task
) -> tuple[Suggestion[str], ...]:
    from modelyard.ml.automl.recommend import Suggestion

    out: list[Suggestion[str]] = []
    missing = profile.missing_share
    if missing > 0.2:
        why = f"{missing:.0%} of feature cells are missing: each column is modelled from the others"
        out.append(Suggestion("imputation=iterative", why))
    elif missing > 0.05:
        why = f"{missing:.0%} of feature cells are missing: fill from the 5 most similar rows"
        out.append(Suggestion("imputation=knn", why))
    skewed = [
        c for c in kinds.numeric if abs(float(pd.to_numeric(X[c]).skew() or 0.0)) > HEAVY_SKEW
    ]
    if skewed:
        why = f"{len(skewed)} numeric column(s) with long tails: quartile scaling resists outliers"
        out.append(Suggestion("scaling=robust", why))
    if kinds.high_cardinality:
        why = f"{len(kinds.high_cardinality)} column(s) with many levels: one-hot would be too wide"
        out.append(Suggestion("encoding=auto (target encoding for many-level columns)", why))
    if profile.n_features > MANY_FEATURES:
        why = f"{profile.n_features} features: keep the informative ones, fit faster, overfit less"
        out.append(Suggestion("feature_selection=mutual_info", why))
    elif profile.n_features > 30 and profile.n_rows < 1_000:
        why = f"{profile.n_features} features on only {profile.n_rows} rows: L1 drops the weak ones"
        out.append(Suggestion("feature_selection=l1", why))
    share = profile.minority_share
    if task == "classification" and profile.n_classes == 2 and share is not None and share < 0.2:
        why = f"{share:.0%} of rows in the smaller class: a 0.5 cut-off under-predicts it"
        out.append(Suggestion("threshold_metric=f1", why))
    if np.isfinite(missing) and not out:
        out.append(Suggestion("all auto", "nothing in the data calls for a change"))
    return tuple(out)
