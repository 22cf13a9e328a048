"""Which feature columns a search may use, of which kind each is, and why others are dropped."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.targets import Task, column_problem

LOW_CARDINALITY = 15
_ID_NAME = re.compile(r"(^|[_\s.-])(id|ids|key|uuid|guid|index|idx)$|^(id|uuid|guid)", re.I)
_DATE_LIKE = re.compile(r"\d{1,4}[-/.:]\d{1,2}")
_SAMPLE = 500


@dataclass(frozen=True)
class ColumnKinds:
    """Feature columns by how they are encoded."""

    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    high_cardinality: list[str] = field(default_factory=list)
    datetime: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [
            *self.numeric,
            *self.categorical,
            *self.high_cardinality,
            *self.datetime,
            *self.text,
        ]

    def counts(self) -> dict[str, int]:
        return {
            "numeric": len(self.numeric),
            "categorical": len(self.categorical),
            "high_cardinality": len(self.high_cardinality),
            "datetime": len(self.datetime),
            "text": len(self.text),
        }


def as_text(X: Any) -> Any:
    """Categorical columns as Python strings, with missing values as NaN."""
    frame = pd.DataFrame(X).astype(object)
    return (
        frame.where(frame.notna(), np.nan)
        .map(lambda v: v if isinstance(v, float) and math.isnan(v) else str(v))
        .to_numpy(dtype=object)
    )


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def is_datetime_like(series: pd.Series) -> bool:
    """Datetime columns, and text columns whose values all read as dates or times."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    if is_numeric(series) or pd.api.types.is_bool_dtype(series):
        return False
    sample = series.dropna().astype(str).head(_SAMPLE)
    if sample.empty or not sample.str.match(_DATE_LIKE).all():
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.95)


def is_text_like(series: pd.Series) -> bool:
    """Free text: mostly distinct values of several words each."""
    values = series.dropna().astype(str).head(_SAMPLE * 4)
    if values.empty or values.nunique() < 0.5 * len(values):
        return False
    return bool(values.str.split().str.len().mean() >= 3)


def classify_columns(X: pd.DataFrame) -> ColumnKinds:
    kinds = ColumnKinds()
    for column in X.columns:
        series = X[column]
        if is_numeric(series):
            kinds.numeric.append(column)
        elif is_datetime_like(series):
            kinds.datetime.append(column)
        elif series.nunique(dropna=True) <= LOW_CARDINALITY:
            kinds.categorical.append(column)
        elif is_text_like(series):
            kinds.text.append(column)
        else:
            kinds.high_cardinality.append(column)
    return kinds


def identifier_reason(name: str, series: pd.Series) -> str | None:
    """Why a column looks like a row identifier (which carries no signal that generalises)."""
    values = series.dropna()
    n_unique = values.nunique()
    if len(values) < 20 or n_unique < 0.95 * len(values):
        return None
    if pd.api.types.is_float_dtype(series) or is_text_like(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        ordered = np.sort(values.to_numpy())
        is_sequence = n_unique == len(values) and bool(np.all(np.diff(ordered) == 1))
        if is_sequence or _ID_NAME.search(str(name)):
            return "identifier-like: every value is distinct (a row id carries no signal)"
        return None
    if is_datetime_like(series):
        return None
    return "identifier-like: every value is distinct (a row id carries no signal)"


def leakage_reason(series: pd.Series, y: pd.Series, task: Task) -> str | None:
    """Why a column gives the target away (a copy, a relabelling or a linear copy)."""
    if series.equals(y):
        return "identical to the target (leakage)"
    both = series.notna() & y.notna()
    if both.sum() < 10:
        return None
    if task == "classification":
        if series[both].nunique() != y[both].nunique():
            return None
        pairs = pd.DataFrame({"x": series[both].astype(str), "y": y[both].astype(str)})
        if (
            pairs.groupby("x")["y"].nunique().max() == 1
            and pairs["x"].nunique() == pairs["y"].nunique()
        ):
            return "encodes the target one-to-one (leakage)"
        return None
    if is_numeric(series):
        x = series[both].to_numpy(dtype=float)
        t = pd.to_numeric(y[both]).to_numpy(dtype=float)
        if x.std() > 0 and t.std() > 0 and abs(np.corrcoef(x, t)[0, 1]) > 0.99999:
            return "a linear copy of the target (leakage)"
    return None


def screen_features(
    rows: pd.DataFrame, target: str, task: Task, *, reserved: tuple[str, ...] = ()
) -> tuple[list[str], dict[str, str]]:
    """The usable feature columns, and for every other column the reason it was dropped."""
    y = rows[target]
    keep: list[str] = []
    dropped: dict[str, str] = {}
    for column in rows.columns:
        if column == target or column in reserved:
            continue
        series = rows[column]
        reason = (
            column_problem(series, y)
            or leakage_reason(series, y, task)
            or identifier_reason(str(column), series)
        )
        if reason is None:
            keep.append(column)
        else:
            dropped[column] = reason
    if not keep:
        raise InvalidInputError(
            "No usable feature columns: every column other than the target is constant, "
            "empty, an identifier or a copy of the target.",
            code="training.no_features",
            details={"dropped": dropped},
        )
    return keep, dropped
