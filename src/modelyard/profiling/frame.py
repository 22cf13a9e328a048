"""The seeded row sample as analysis-ready numpy arrays.

Numeric columns (kinds ``numeric`` and ``integer``, text parsed as numbers) become float
arrays with NaN for missing; categorical ones (``categorical`` and ``boolean``) become
integer codes of their most frequent ``MAX_CATEGORIES - 1`` values, the rest grouped as
``(other)``, with -1 for missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modelyard.profiling.models import ColumnProfile

MAX_CATEGORIES = 30
OTHER = "(other)"
NUMERIC_KINDS = ("numeric", "integer")
CATEGORICAL_KINDS = ("categorical", "boolean")


@dataclass(frozen=True)
class Categorical:
    codes: np.ndarray
    labels: list[str]


@dataclass(frozen=True)
class SampleFrame:
    n_rows: int
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    categorical: dict[str, Categorical] = field(default_factory=dict)
    target_classes: Categorical | None = None


def build_frame(
    sample: pa.Table, columns: list[ColumnProfile], *, classes_of: str | None = None
) -> SampleFrame:
    """Arrays for the numeric and categorical columns of ``sample``.

    ``classes_of`` names a classification target: its values are also kept as class codes.
    """
    numeric: dict[str, np.ndarray] = {}
    categorical: dict[str, Categorical] = {}
    index = {name: i for i, name in enumerate(sample.column_names)}
    for column in columns:
        if column.count == 0 or column.name not in index:
            continue
        data = sample.column(index[column.name])
        if column.kind in NUMERIC_KINDS:
            numeric[column.name] = to_float(data)
        elif column.kind in CATEGORICAL_KINDS:
            categorical[column.name] = to_codes(data)
    classes = None
    if classes_of is not None and classes_of in sample.column_names:
        classes = to_codes(sample.column(classes_of))
    return SampleFrame(sample.num_rows, numeric, categorical, classes)


def to_float(data: pa.ChunkedArray) -> np.ndarray:
    """Float64 values, NaN for missing, unparsable text or infinities."""
    if pa.types.is_dictionary(data.type):
        data = data.cast(data.type.value_type)
    if pa.types.is_string(data.type) or pa.types.is_large_string(data.type):
        data = pc.cast(pc.utf8_trim_whitespace(data), pa.string())
        data = _parse_numbers(data)
    elif pa.types.is_boolean(data.type) or pa.types.is_decimal(data.type):
        data = data.cast(pa.float64())
    values = data.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
    values[~np.isfinite(values)] = np.nan
    return values


def _parse_numbers(data: pa.ChunkedArray) -> pa.ChunkedArray:
    import pandas as pd

    parsed = pd.to_numeric(pd.Series(data.to_pylist(), dtype=object), errors="coerce")
    return pa.chunked_array([pa.array(parsed.to_numpy(dtype=np.float64, na_value=np.nan))])


def to_codes(data: pa.ChunkedArray) -> Categorical:
    """Codes of the most frequent values (ties: by value), ``(other)`` for the rest."""
    if pa.types.is_dictionary(data.type):
        data = data.cast(data.type.value_type)
    text = data.cast(pa.string())
    encoded = pc.dictionary_encode(text).combine_chunks()
    labels = encoded.dictionary.to_pylist()
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    counts = np.bincount(indices[indices >= 0], minlength=len(labels))
    order = sorted(range(len(labels)), key=lambda i: (-counts[i], str(labels[i])))
    keep = order[: MAX_CATEGORIES - 1] if len(labels) > MAX_CATEGORIES else order
    remap = np.full(len(labels) + 1, len(keep), dtype=np.int64)
    remap[np.asarray(keep, dtype=np.int64)] = np.arange(len(keep))
    remap[-1] = -1
    codes = remap[np.where(indices < 0, len(labels), indices)]
    names = [str(labels[i]) for i in keep] + ([OTHER] if len(labels) > len(keep) else [])
    return Categorical(codes=codes, labels=names)
