"""The preprocessing carried inside every model pipeline.

Numeric columns are imputed and scaled for the families that need it (linear, k-NN,
networks), a missing number by the median of the row's group in a categorical column
that tells the groups apart (:class:`~modelyard.ml.automl.imputers.GroupMedianImputer`);
tree families take them as they are, missing values included. Categorical
columns are one-hot encoded when they have few levels and target encoded (with cross
fitting, so no leakage) when they have many. Datetime columns become calendar features,
free-text columns a small TF-IDF vocabulary. Explicit options (imputation, scaling,
encoding, feature selection) are built by :mod:`modelyard.ml.automl.prep_steps`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    StandardScaler,
    TargetEncoder,
)
from sklearn.utils.validation import check_array, check_is_fitted

from modelyard.ml.automl.columns import ColumnKinds, as_text
from modelyard.ml.automl.imputers import CommonIndicatorSimpleImputer, GroupMedianImputer
from modelyard.ml.automl.options import PrepOptions
from modelyard.ml.automl.targets import Task

_PARTS = ("year", "month", "day", "dayofweek", "hour", "days")
_MISSING = "__missing__"


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Expands each date/time column to year, month, day, day of week, hour and a day count.

    Text columns are parsed as dates; values that do not parse become missing (NaN).
    """

    def fit(self, X: Any, y: Any = None) -> DatetimeFeatures:
        frame = self._frame(X, reset=True)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        frame = self._frame(X, reset=False)
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} features, but DatetimeFeatures is expecting "
                f"{self.n_features_in_} features as input."
            )
        parts = [_calendar(frame.iloc[:, i]) for i in range(frame.shape[1])]
        return np.hstack(parts) if parts else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        names = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{name}_{part}" for name in names for part in _PARTS], dtype=object)

    def _frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            if X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(f"Found array with shape {X.shape}; expected at least 1 row.")
            if reset:
                self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            return X
        array = check_array(X, dtype=None, accept_sparse=False, ensure_all_finite=False)
        if reset and hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return pd.DataFrame(array)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _calendar(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.to_datetime(column)
    elif pd.api.types.is_numeric_dtype(column):
        stamps = pd.to_datetime(pd.Series(np.nan, index=column.index))
    else:
        stamps = pd.to_datetime(column.astype(object), errors="coerce", format="mixed", utc=True)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    epoch_days = (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400
    values = [stamps.dt.year, stamps.dt.month, stamps.dt.day, stamps.dt.dayofweek]
    values += [stamps.dt.hour, epoch_days]
    return np.column_stack([np.asarray(v, dtype=float) for v in values])


def as_documents(X: Any) -> Any:
    """One free-text column as a 1-D array of strings (missing values empty)."""
    values = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else pd.Series(np.ravel(X))
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy()


def _categorical(encoder: Any, *, scaled: bool) -> Pipeline:
    steps: list[tuple[str, Any]] = [
        ("to_text", FunctionTransformer(as_text, feature_names_out="one-to-one")),
        ("impute", SimpleImputer(strategy="constant", fill_value=_MISSING)),
        ("encode", encoder),
    ]
    if scaled and isinstance(encoder, TargetEncoder):
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


def _numeric(*, scaled: bool, n_groups: int = 0) -> Any:
    """Numbers as floats; for ``scaled`` imputed (by the median of the row's group in the
    ``n_groups`` categorical columns that follow them, see :mod:`imputers`) and scaled."""
    if not scaled:
        return FunctionTransformer(_as_float, feature_names_out="one-to-one")
    imputer: Any = (
        GroupMedianImputer(n_groups=n_groups)
        if n_groups
        else CommonIndicatorSimpleImputer(strategy="median", add_indicator=True)
    )
    return Pipeline([("impute", imputer), ("scale", StandardScaler())])


def _as_float(X: Any) -> Any:
    """Numbers as floats; missing values (NaN, None, pandas NA) become NaN."""
    return pd.DataFrame(X).astype("float64").to_numpy()


def _datetime(*, scaled: bool) -> Pipeline:
    steps: list[tuple[str, Any]] = [("calendar", DatetimeFeatures())]
    if scaled:
        steps += [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
    return Pipeline(steps)


def _target_encoder(task: Task, seed: int) -> TargetEncoder:
    """Cross-fitted target encoding with seeded folds (a splitter object from 1.9 on)."""
    target_type = "continuous" if task == "regression" else "auto"
    major, minor = (int(part) for part in sklearn.__version__.split(".")[:2])
    if (major, minor) >= (1, 9):
        return TargetEncoder(target_type=target_type, cv=KFold(5, shuffle=True, random_state=seed))
    return TargetEncoder(target_type=target_type, cv=5, shuffle=True, random_state=seed)


def build_preprocessor(
    kinds: ColumnKinds,
    *,
    scaled: bool,
    task: Task,
    seed: int,
    options: PrepOptions | None = None,
) -> Any:
    """A ColumnTransformer for these columns; ``scaled`` for linear, k-NN and networks.

    With explicit ``options`` (imputation, scaling, encoding, feature selection) the
    matching steps of :mod:`modelyard.ml.automl.prep_steps` are used instead.
    """
    if options is not None and not options.is_default:
        from modelyard.ml.automl.prep_steps import build_optioned_preprocessor

        return build_optioned_preprocessor(kinds, scaled=scaled, task=task, options=options)
    one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    target_encoder = _target_encoder(task, seed)
    parts: list[tuple[str, Any, Any]] = []
    if kinds.numeric:
        groups = kinds.categorical if scaled else []  # missing numbers imputed by group
        numeric = _numeric(scaled=scaled, n_groups=len(groups))
        parts.append(("numeric", numeric, kinds.numeric + groups))
    if kinds.categorical:
        parts.append(("categorical", _categorical(one_hot, scaled=scaled), kinds.categorical))
    if kinds.high_cardinality:
        encoder = _categorical(target_encoder, scaled=scaled)
        parts.append(("high_cardinality", encoder, kinds.high_cardinality))
    if kinds.datetime:
        parts.append(("datetime", _datetime(scaled=scaled), kinds.datetime))
    for i, column in enumerate(kinds.text):
        vectorizer = TfidfVectorizer(max_features=100, sublinear_tf=True, dtype=np.float64)
        text = Pipeline([("documents", FunctionTransformer(as_documents)), ("tfidf", vectorizer)])
        parts.append((f"text_{i}", text, [column]))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)
