"""The thin trainer: one scikit-learn pipeline (impute, encode, scale) around LightGBM.

This is the seam the AutoML engine replaces: it takes a DataFrame and a target and returns
a fitted pipeline with hold-out metrics. Nothing here touches files, databases or MLflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.columns import as_text
from modelyard.ml.automl.targets import (
    MIN_ROWS,
    Task,
    check_target,
    column_problem,
    detect_task,
    labelled_rows,
    resolve_task,
)

__all__ = [
    "MIN_ROWS",
    "Task",
    "TrainingOutcome",
    "as_text",
    "build_pipeline",
    "detect_task",
    "evaluate",
    "train_tabular_model",
]

Progress = Callable[[float, str], None]


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


def _feature_frame(df: pd.DataFrame, target: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The usable feature columns, and why the others were dropped."""
    dropped: dict[str, str] = {}
    keep = []
    for column in df.columns:
        if column == target:
            continue
        series = df[column]
        reason = column_problem(series, df[target])
        if reason is None and pd.api.types.is_datetime64_any_dtype(series):
            reason = "datetime (not used by the baseline trainer)"
        if reason is None:
            keep.append(column)
        else:
            dropped[column] = reason
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
    check_target(df, target)
    rows = labelled_rows(df, target)
    y = rows[target]
    task = resolve_task(y, target)
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
