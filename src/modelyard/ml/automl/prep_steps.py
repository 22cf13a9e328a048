"""Column preprocessing with explicit options: imputation, scaling, encoding, selection.

Used by :func:`modelyard.ml.automl.preprocessing.build_preprocessor` when any option is
not ``auto``; an ``auto`` option keeps the default's choice for that step. Every step is
a scikit-learn transformer inside the saved pipeline, so online and batch prediction
apply exactly what was fitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)

from modelyard.ml.automl.columns import ColumnKinds, as_text
from modelyard.ml.automl.imputers import (
    CommonIndicatorIterativeImputer,
    CommonIndicatorKNNImputer,
    CommonIndicatorSimpleImputer,
    GroupMedianImputer,
)
from modelyard.ml.automl.options import PrepOptions
from modelyard.ml.automl.preprocessing import (
    _MISSING,
    DatetimeFeatures,
    _as_float,
    _target_encoder,
    as_documents,
)
from modelyard.ml.automl.targets import Task

MAX_ONE_HOT_LEVELS = 50  # one-hot of many-level columns keeps the most frequent levels


def make_imputer(strategy: str, *, seed: int) -> Any:
    """A numeric imputer (with indicator columns for commonly missing features) for an
    imputation option."""
    if strategy in ("auto", "median"):
        return CommonIndicatorSimpleImputer(strategy="median", add_indicator=True)
    if strategy == "constant":
        return CommonIndicatorSimpleImputer(strategy="constant", fill_value=0.0, add_indicator=True)
    if strategy == "knn":
        return CommonIndicatorKNNImputer(n_neighbors=5, add_indicator=True)
    if strategy == "iterative":
        return CommonIndicatorIterativeImputer(max_iter=10, random_state=seed, add_indicator=True)
    return CommonIndicatorSimpleImputer(strategy=strategy, add_indicator=True)


def make_scaler(scaling: str) -> Any | None:
    return {
        "auto": StandardScaler,
        "standard": StandardScaler,
        "robust": RobustScaler,
        "minmax": MinMaxScaler,
    }.get(scaling, lambda: None)()


def _steps(*steps: tuple[str, Any]) -> Any:
    kept = [(name, step) for name, step in steps if step is not None]
    return Pipeline(kept) if kept else "passthrough"


def _numeric(options: PrepOptions, *, scaled: bool, n_groups: int = 0) -> Any:
    """``n_groups`` categorical columns follow the numeric ones when ``auto`` imputation
    of a scaled model imputes by group (as the default preprocessing does)."""
    if not scaled and options.imputation == "auto":
        return FunctionTransformer(_as_float, feature_names_out="one-to-one")
    scaler = make_scaler(options.scaling) if scaled else None
    if n_groups:
        return _steps(("impute", GroupMedianImputer(n_groups=n_groups)), ("scale", scaler))
    imputer = make_imputer(options.imputation, seed=options.seed)
    return Pipeline(
        [("to_float", FunctionTransformer(_as_float, feature_names_out="one-to-one"))]
        + [(n, s) for n, s in (("impute", imputer), ("scale", scaler)) if s is not None]
    )


def _encoder(encoding: str, *, many_levels: bool, task: Task, seed: int) -> Any:
    if encoding == "ordinal":
        return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    if encoding == "target" or (encoding == "auto" and many_levels):
        return _target_encoder(task, seed)
    if many_levels:
        return OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            max_categories=MAX_ONE_HOT_LEVELS,
            sparse_output=False,
        )
    return OneHotEncoder(handle_unknown="ignore", sparse_output=False)


def _categorical(options: PrepOptions, *, many_levels: bool, scaled: bool, task: Task) -> Any:
    encoder = _encoder(options.encoding, many_levels=many_levels, task=task, seed=options.seed)
    fill = (
        SimpleImputer(strategy="most_frequent")
        if options.imputation == "most_frequent"
        else SimpleImputer(strategy="constant", fill_value=_MISSING)
    )
    is_one_hot = isinstance(encoder, OneHotEncoder)
    scaler = make_scaler(options.scaling) if scaled and not is_one_hot else None
    return _steps(
        ("to_text", FunctionTransformer(as_text, feature_names_out="one-to-one")),
        ("impute", fill),
        ("encode", encoder),
        ("scale", scaler),
    )


def _datetime(options: PrepOptions, *, scaled: bool) -> Any:
    if not scaled:
        return Pipeline([("calendar", DatetimeFeatures())])
    impute = SimpleImputer(strategy="median")
    return _steps(
        ("calendar", DatetimeFeatures()),
        ("impute", impute),
        ("scale", make_scaler(options.scaling)),
    )


def build_columns(kinds: ColumnKinds, *, scaled: bool, task: Task, options: PrepOptions) -> Any:
    """The ColumnTransformer for these columns under these options."""
    parts: list[tuple[str, Any, Any]] = []
    if kinds.numeric:
        by_group = scaled and options.imputation == "auto"
        groups = kinds.categorical if by_group else []
        numeric = _numeric(options, scaled=scaled, n_groups=len(groups))
        parts.append(("numeric", numeric, kinds.numeric + groups))
    if kinds.categorical:
        step = _categorical(options, many_levels=False, scaled=scaled, task=task)
        parts.append(("categorical", step, kinds.categorical))
    if kinds.high_cardinality:
        step = _categorical(options, many_levels=True, scaled=scaled, task=task)
        parts.append(("high_cardinality", step, kinds.high_cardinality))
    if kinds.datetime:
        parts.append(("datetime", _datetime(options, scaled=scaled), kinds.datetime))
    for i, column in enumerate(kinds.text):
        vectorizer = TfidfVectorizer(max_features=100, sublinear_tf=True, dtype=np.float64)
        text = Pipeline([("documents", FunctionTransformer(as_documents)), ("tfidf", vectorizer)])
        parts.append((f"text_{i}", text, [column]))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


def build_optioned_preprocessor(
    kinds: ColumnKinds, *, scaled: bool, task: Task, options: PrepOptions
) -> Any:
    """Columns, then (with ``feature_selection``) a :class:`FeatureSelector` step."""
    columns = build_columns(kinds, scaled=scaled, task=task, options=options)
    if options.feature_selection == "none":
        return columns
    from modelyard.ml.automl.selection import FeatureSelector

    selector = FeatureSelector(
        method=options.feature_selection,
        max_features=options.max_features,
        task=task,
        random_state=options.seed,
    )
    return Pipeline([("columns", columns), ("select", selector)])
