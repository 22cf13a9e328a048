"""Applying cleaning steps to a table, deterministically and all-or-nothing.

Each step works on the table left by the previous one; a step that does not fit (an
unknown column, a mean of text, a fill value of the wrong type) raises
``InvalidInputError`` naming the step, and no table comes back. The input is never
modified.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel

from modelyard.errors import InvalidInputError
from modelyard.profiling.conversions import convert_column, is_numeric_type, standardise
from modelyard.profiling.steps import (
    CapOutliers,
    CleaningStep,
    DeduplicateRows,
    FixTypes,
    Impute,
    parse_steps,
)

if TYPE_CHECKING:
    import pandas as pd

KNN_DONORS = 20_000


class StepError(Exception):
    """A step does not fit the table; ``apply_steps`` adds which step it was."""


def apply_steps(
    table: pa.Table | pd.DataFrame, steps: Sequence[CleaningStep | dict[str, Any]]
) -> pa.Table:
    """The table after ``steps``, applied in order."""
    current = (
        table if isinstance(table, pa.Table) else pa.Table.from_pandas(table, preserve_index=False)
    )
    parsed = parse_steps([s.model_dump() if isinstance(s, BaseModel) else s for s in steps])
    for number, step in enumerate(parsed, start=1):
        try:
            _check_columns(current, step)
            current = _APPLY[step.kind](current, step)
        except StepError as exc:
            raise InvalidInputError(
                f"Cleaning step {number} ({step.kind}): {exc}",
                code="cleaning.step_does_not_fit",
                details={"step": number, "kind": step.kind},
            ) from exc
    return current


def _check_columns(table: pa.Table, step: CleaningStep) -> None:
    if not step.columns and not isinstance(step, DeduplicateRows):
        raise StepError("name at least one column.")
    present = set(table.column_names)
    unknown = [c for c in step.columns if c not in present]
    if unknown:
        raise StepError(
            f"unknown column(s) {', '.join(repr(c) for c in unknown)}; "
            f"the table has {', '.join(table.column_names[:20])}."
        )
    if len(set(step.columns)) != len(step.columns):
        raise StepError("a column is named twice.")


def _drop(table: pa.Table, step: CleaningStep) -> pa.Table:
    return table.drop_columns(step.columns)


def _deduplicate(table: pa.Table, step: CleaningStep) -> pa.Table:
    keys = step.columns or table.column_names
    if table.num_rows == 0 or not keys:
        return table
    marker = "__row__"
    while marker in table.column_names:
        marker += "_"
    keyed = table.select(keys).append_column(marker, pa.array(np.arange(table.num_rows)))
    try:
        firsts = keyed.group_by(keys, use_threads=False).aggregate([(marker, "min")])
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid) as exc:
        raise StepError(f"these columns cannot be compared for duplicates ({exc}).") from exc
    keep = np.sort(firsts.column(f"{marker}_min").to_numpy())
    return table.take(pa.array(keep))


def _fix_types(table: pa.Table, step: CleaningStep) -> pa.Table:
    assert isinstance(step, FixTypes)
    for name in step.columns:
        index = table.column_names.index(name)
        table = table.set_column(index, name, convert_column(table.column(name), step.to))
    return table


def _numeric(table: pa.Table, name: str, why: str) -> np.ndarray:
    column = table.column(name)
    if not is_numeric_type(column.type):
        raise StepError(f"{why} needs a numeric column; {name!r} is {column.type}.")
    values = column.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
    return values


def _put_numbers(table: pa.Table, name: str, values: np.ndarray) -> pa.Table:
    """Replace column ``name`` with ``values`` (NaN = missing), keeping its type."""
    original = table.column(name).type
    if pa.types.is_integer(original):
        values = np.round(values)
    array = pa.array(values, mask=np.isnan(values)).cast(original, safe=False)
    return table.set_column(table.column_names.index(name), name, array)


def _impute(table: pa.Table, step: CleaningStep) -> pa.Table:
    assert isinstance(step, Impute)
    if step.method == "knn":
        return _impute_knn(table, step)
    for name in step.columns:
        column = table.column(name)
        if step.method in ("mean", "median"):
            values = _numeric(table, name, f"imputing the {step.method}")
            known = values[~np.isnan(values)]
            if len(known) == 0:
                raise StepError(f"{name!r} has no values to take the {step.method} of.")
            fill = float(np.mean(known) if step.method == "mean" else np.median(known))
            table = _put_numbers(table, name, np.where(np.isnan(values), fill, values))
            continue
        scalar = _most_frequent(column, name) if step.method == "most_frequent" else None
        if step.method == "constant":
            scalar = _constant(column, name, step.fill_value)
        filled = pc.fill_null(column, scalar)
        table = table.set_column(table.column_names.index(name), name, filled)
    return table


def _most_frequent(column: pa.ChunkedArray, name: str) -> pa.Scalar:
    counts = pc.value_counts(column.drop_null()).to_pylist()
    counts = [c for c in counts if not (isinstance(c["values"], float) and math.isnan(c["values"]))]
    if not counts:
        raise StepError(f"{name!r} has no values to take the most frequent of.")
    best = min(counts, key=lambda c: (-c["counts"], c["values"]))
    return pa.scalar(best["values"], type=column.type)


def _constant(column: pa.ChunkedArray, name: str, value: object) -> pa.Scalar:
    if value is None:
        raise StepError("the constant method needs a fill_value.")
    try:
        return pa.scalar(value).cast(column.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise StepError(f"fill value {value!r} does not fit {name!r} ({column.type}).") from exc


def _impute_knn(table: pa.Table, step: CleaningStep) -> pa.Table:
    """KNNImputer over all numeric columns, standardised; donors: a seeded subset of rows."""
    assert isinstance(step, Impute)
    from sklearn.impute import KNNImputer

    for name in step.columns:
        _numeric(table, name, "KNN imputation")
    features = [f.name for f in table.schema if is_numeric_type(f.type)]
    matrix = np.column_stack([_numeric(table, n, "KNN imputation") for n in features])
    for name in step.columns:
        if np.isnan(matrix[:, features.index(name)]).all():
            raise StepError(f"{name!r} has no values to learn from.")
    scaled, centre, scale = standardise(matrix)
    rng = np.random.default_rng(0)
    donors = scaled[np.sort(rng.permutation(len(scaled))[:KNN_DONORS])]
    imputer = KNNImputer(n_neighbors=step.n_neighbors, keep_empty_features=True)
    filled = imputer.fit(donors).transform(scaled) * scale + centre
    for name in step.columns:
        j = features.index(name)
        table = _put_numbers(
            table, name, np.where(np.isnan(matrix[:, j]), filled[:, j], matrix[:, j])
        )
    return table


def _cap(table: pa.Table, step: CleaningStep) -> pa.Table:
    assert isinstance(step, CapOutliers)
    for name in step.columns:
        values = _numeric(table, name, "capping outliers")
        lower, upper = step.bounds.get(name) or _fences(values, step.iqr_factor, name)
        if lower > upper:
            raise StepError(f"the lower bound of {name!r} is above its upper bound.")
        if pa.types.is_integer(table.column(name).type):
            lower, upper = math.ceil(lower), math.floor(upper)
        table = _put_numbers(table, name, np.clip(values, lower, upper))
    return table


def _fences(values: np.ndarray, factor: float, name: str) -> tuple[float, float]:
    known = values[~np.isnan(values)]
    if len(known) == 0:
        raise StepError(f"{name!r} has no values to compute outlier bounds from.")
    q1, q3 = np.quantile(known, [0.25, 0.75])
    return float(q1 - factor * (q3 - q1)), float(q3 + factor * (q3 - q1))


_APPLY: dict[str, Callable[[pa.Table, CleaningStep], pa.Table]] = {
    "drop_constant_columns": _drop,
    "drop_identifier_columns": _drop,
    "drop_leaky_columns": _drop,
    "impute": _impute,
    "cap_outliers": _cap,
    "fix_types": _fix_types,
    "deduplicate_rows": _deduplicate,
}
