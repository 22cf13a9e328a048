"""Checks on the target column and the task it implies, shared by every trainer.

The thin trainer (:mod:`modelyard.ml.training`) and the AutoML engine both call these, so a
bad target gets the same message (and the same error code) whichever engine runs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError

Task = Literal["classification", "regression"]

MIN_ROWS = 10
MAX_CLASSES = 100


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


def check_target(df: pd.DataFrame, target: str) -> pd.Series:
    """The target column, refused when unknown, empty or single-valued."""
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


def labelled_rows(df: pd.DataFrame, target: str) -> pd.DataFrame:
    """The rows that have a target value; refused when there are too few to learn from."""
    rows = df[df[target].notna()]
    if len(rows) < MIN_ROWS:
        raise InvalidInputError(
            f"Only {len(rows)} rows have a target value; at least {MIN_ROWS} are needed.",
            code="training.too_few_rows",
        )
    return rows


def resolve_task(y: pd.Series, target: str, requested: Task | None = None) -> Task:
    """The task asked for (checked against the target) or the one the target implies."""
    task = requested or detect_task(y)
    if task == "regression" and not _is_quantity(y):
        shown = ", ".join(repr(v) for v in pd.unique(y.dropna())[:3])
        raise InvalidInputError(
            f"The target {target!r} holds non-numeric values ({shown}, ...), so it cannot be "
            "predicted by regression. Choose the classification task, or a numeric target.",
            code="training.target_not_numeric",
            details={"target": target},
        )
    n_classes = y.nunique()
    if task == "classification" and n_classes > MAX_CLASSES:
        raise InvalidInputError(
            f"The target {target!r} has {n_classes} classes; at most {MAX_CLASSES} are "
            "supported. Is it a quantity (regression) or an identifier?",
            code="training.too_many_classes",
        )
    return task


def column_problem(series: pd.Series, y: pd.Series) -> str | None:
    """Why a feature column cannot be used at all (empty, constant, a copy of the target)."""
    if series.isna().all():
        return "all values missing"
    try:
        n_unique = series.nunique(dropna=True)
    except TypeError:  # lists or dicts, e.g. nested JSON
        return "holds lists or nested objects, not single values"
    if n_unique < 2:
        return "constant"
    if series.equals(y):
        return "identical to the target (leakage)"
    return None


def _is_quantity(y: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(y):
        return False
    if pd.api.types.is_numeric_dtype(y):
        return True
    return bool(pd.to_numeric(y.dropna(), errors="coerce").notna().all())
