"""The thin trainer: one scikit-learn pipeline (impute, encode, scale) around LightGBM.

This is the seam the AutoML engine replaces: it takes a DataFrame and a target and returns
a fitted pipeline with hold-out metrics. Nothing here touches files, databases or MLflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError

Task = Literal["classification", "regression"]
Progress = Callable[[float, str], None]

MIN_ROWS = 10
_MAX_CLASSES = 100


@dataclass(frozen=True)
class TrainingOutcome:
    pipeline: Any
    task: Task
    algorithm: str
    metrics: dict[str, float]
    params: dict[str, Any]
    feature_columns: list[str]
    classes: list[Any] | None = None
    dropped_columns: dict[str, str] = field(default_factory=dict)
    n_train: int = 0
    n_test: int = 0


def detect_task(y: pd.Series) -> Task:
    """Classification for labels (text, booleans, few integers), regression for quantities."""
    if pd.api.types.is_bool_dtype(y) or not pd.api.types.is_numeric_dtype(y):
        return "classification"
    values = y.dropna()
    is_integral = pd.api.types.is_integer_dtype(values) or bool(
        np.all(np.mod(values.to_numpy(dtype=float), 1) == 0)
    )
    n_unique = values.nunique()
    if is_integral and n_unique <= min(20, max(2, len(values) // 10)):
        return "classification"
    return "regression"


def _check_target(df: pd.DataFrame, target: str) -> pd.Series:
    if target not in df.columns:
        raise InvalidInputError(
            f"The target column {target!r} is not in the data. Columns: "
            f"{', '.join(map(str, df.columns[:20]))}{' ...' if len(df.columns) > 20 else ''}.",
            code="training.target_unknown",
            details={"target": target, "columns": [str(c) for c in df.columns[:200]]},
        )
    y = df[target]
    if y.isna().all():
        raise InvalidInputError(
            f"The target column {target!r} has no values: every row is missing.",
            code="training.target_empty",
        )
    if y.nunique(dropna=True) < 2:
        raise InvalidInputError(
            f"The target column {target!r} has a single value ({y.dropna().iloc[0]!r}); "
            "a model needs at least two different values to learn from.",
            code="training.target_single_value",
        )
    return y


def _feature_frame(df: pd.DataFrame, target: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The usable feature columns, and why the others were dropped."""
    dropped: dict[str, str] = {}
    keep = []
    for column in df.columns:
        if column == target:
            continue
        series = df[column]
        if series.isna().all():
            dropped[column] = "all values missing"
        elif series.nunique(dropna=True) < 2:
            dropped[column] = "constant"
        elif pd.api.types.is_datetime64_any_dtype(series):
            dropped[column] = "datetime (not used by the baseline trainer)"
        elif series.equals(df[target]):
            dropped[column] = "identical to the target (leakage)"
        else:
            keep.append(column)
    if not keep:
        raise InvalidInputError(
            "No usable feature columns: every column other than the target is constant, "
            "empty or a copy of the target.",
            code="training.no_features",
            details={"dropped": dropped},
        )
    return df[keep], dropped


def build_pipeline(X: pd.DataFrame, task: Task, *, seed: int, n_jobs: int = 1) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    numeric = [
        c
        for c in X.columns
        if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])
    ]
    categorical = [c for c in X.columns if c not in numeric]
    transformers = []
    if numeric:
        transformers.append(
            (
                "numeric",
                Pipeline(
                    [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
                ),
                numeric,
            )
        )
    if categorical:
        transformers.append(
            (
                "categorical",
                Pipeline(
                    [
                        ("to_text", FunctionTransformer(as_text, feature_names_out="one-to-one")),
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        (
                            "encode",
                            OneHotEncoder(
                                handle_unknown="ignore", max_categories=50, sparse_output=False
                            ),
                        ),
                    ]
                ),
                categorical,
            )
        )
    preprocess = ColumnTransformer(transformers, remainder="drop")
    params: dict[str, Any] = {
        "n_estimators": 200,
        "learning_rate": 0.05,
        "num_leaves": 31,
        "random_state": seed,
    }
    model_cls = LGBMClassifier if task == "classification" else LGBMRegressor
    model = model_cls(**params, n_jobs=n_jobs, verbose=-1)
    return Pipeline([("preprocess", preprocess), ("model", model)])


def as_text(X: Any) -> Any:
    """Categorical columns as Python objects: strings, with missing values as NaN."""
    frame = pd.DataFrame(X).astype(object)
    return (
        frame.where(frame.notna(), np.nan)
        .map(lambda v: v if isinstance(v, float) and math.isnan(v) else str(v))
        .to_numpy(dtype=object)
    )


def _split(X: pd.DataFrame, y: pd.Series, task: Task, seed: int) -> tuple[Any, Any, Any, Any]:
    from sklearn.model_selection import train_test_split

    stratify = None
    if task == "classification" and y.value_counts().min() >= 2:
        stratify = y
    test_size = 0.2 if len(X) >= 50 else 0.3
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=stratify)


def evaluate(pipeline: Any, X: pd.DataFrame, y: pd.Series, task: Task) -> dict[str, float]:
    from sklearn import metrics as m

    predicted = pipeline.predict(X)
    if task == "regression":
        return {
            "rmse": float(np.sqrt(m.mean_squared_error(y, predicted))),
            "mae": float(m.mean_absolute_error(y, predicted)),
            "r2": float(m.r2_score(y, predicted)) if len(y) > 1 else 0.0,
        }
    scores = {
        "accuracy": float(m.accuracy_score(y, predicted)),
        "f1_macro": float(m.f1_score(y, predicted, average="macro", zero_division=0)),
    }
    classes = list(pipeline.classes_)
    probabilities = pipeline.predict_proba(X)
    if set(pd.unique(y)) <= set(classes) and len(set(pd.unique(y))) == len(classes):
        if len(classes) == 2:
            scores["roc_auc"] = float(m.roc_auc_score(y == classes[1], probabilities[:, 1]))
        else:
            scores["roc_auc"] = float(
                m.roc_auc_score(y, probabilities, multi_class="ovr", labels=classes)
            )
        scores["log_loss"] = float(m.log_loss(y, probabilities, labels=classes))
    return scores


def train_tabular_model(
    df: pd.DataFrame,
    target: str,
    *,
    seed: int = 0,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> TrainingOutcome:
    """Fit the baseline pipeline on a hold-out split, evaluate it, then refit on all rows."""
    report = progress or (lambda _f, _m: None)
    y_all = _check_target(df, target)
    rows = df[y_all.notna()]
    if len(rows) < MIN_ROWS:
        raise InvalidInputError(
            f"Only {len(rows)} rows have a target value; at least {MIN_ROWS} are needed.",
            code="training.too_few_rows",
        )
    y = rows[target]
    task = detect_task(y)
    if task == "classification" and y.nunique() > _MAX_CLASSES:
        raise InvalidInputError(
            f"The target {target!r} has {y.nunique()} classes; at most {_MAX_CLASSES} are "
            "supported. Is it a quantity (regression) or an identifier?",
            code="training.too_many_classes",
        )
    X, dropped = _feature_frame(rows, target)
    report(0.2, f"{task}: {len(X.columns)} features, {len(X)} rows")
    X_train, X_test, y_train, y_test = _split(X, y, task, seed)
    pipeline = build_pipeline(X, task, seed=seed, n_jobs=n_jobs)
    pipeline.fit(X_train, y_train)
    report(0.6, "evaluating on the hold-out split")
    metrics = evaluate(pipeline, X_test, y_test, task)
    report(0.7, "refitting on all rows")
    pipeline.fit(X, y)
    params = pipeline.named_steps["model"].get_params()
    return TrainingOutcome(
        pipeline=pipeline,
        task=task,
        algorithm="lightgbm",
        metrics=metrics,
        params={
            k: params[k] for k in ("n_estimators", "learning_rate", "num_leaves", "random_state")
        },
        feature_columns=list(X.columns),
        classes=[_plain(c) for c in pipeline.classes_] if task == "classification" else None,
        dropped_columns=dropped,
        n_train=len(X_train),
        n_test=len(X_test),
    )


def _plain(value: Any) -> Any:
    """NumPy scalars to Python ones, so classes serialise to JSON."""
    return value.item() if hasattr(value, "item") else value
