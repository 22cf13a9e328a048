"""Drawing a sample of rows, seeded and in the table's original row order.

- ``random``: ``size`` rows uniformly without replacement.
- ``stratified``: groups of ``column`` (missing values form their own group) keep their
  share of rows; sizes per group by largest remainders, then random rows in each group.
- ``systematic``: every k-th row (k = rows / size, fractional) from a random start.
- ``cluster``: k-means clusters (scikit-learn ``MiniBatchKMeans``, k = 8 or fewer) over
  the standardised numeric columns, missing values at the column mean, then a
  proportional draw from each cluster, as in ``stratified``. ``column`` is not used:
  every row keeps its chance, and the sample covers each region of the data.

``column`` must exist when given; only ``stratified`` requires it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modelyard.errors import InvalidInputError
from modelyard.profiling.conversions import is_numeric_type, standardise

if TYPE_CHECKING:
    import pandas as pd

SampleMethod = Literal["random", "stratified", "systematic", "cluster"]
METHODS: tuple[str, ...] = ("random", "stratified", "systematic", "cluster")
CLUSTERS = 8
_KMEANS_FIT_ROWS = 50_000


def sample_table(
    table: pa.Table | pd.DataFrame,
    *,
    method: SampleMethod,
    size: int,
    seed: int,
    column: str | None = None,
) -> pa.Table:
    """``size`` rows of ``table`` drawn by ``method``."""
    data = (
        table if isinstance(table, pa.Table) else pa.Table.from_pandas(table, preserve_index=False)
    )
    _check(data, method, size, column)
    rng = np.random.default_rng(seed)
    n = data.num_rows
    if method == "random":
        rows = rng.choice(n, size=size, replace=False)
    elif method == "systematic":
        step = n / size
        rows = np.floor(rng.uniform(0, step) + step * np.arange(size)).astype(np.int64)
    elif method == "stratified":
        rows = _proportional(_group_codes(data.column(str(column))), size, rng)
    else:
        rows = _proportional(_clusters(data, seed), size, rng)
    return data.take(pa.array(np.sort(rows)))


def _check(table: pa.Table, method: str, size: int, column: str | None) -> None:
    if method not in METHODS:
        raise InvalidInputError(
            f"Unknown sampling method {method!r}; use one of {', '.join(METHODS)}.",
            code="sampling.unknown_method",
        )
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= table.num_rows:
        raise InvalidInputError(
            f"The sample size must be a whole number from 1 to {table.num_rows:,} "
            f"(the table's rows); got {size!r}.",
            code="sampling.bad_size",
        )
    if column is not None and column not in table.column_names:
        raise InvalidInputError(
            f"Unknown column {column!r}; the table has {', '.join(table.column_names[:20])}.",
            code="sampling.unknown_column",
        )
    if method == "stratified" and column is None:
        raise InvalidInputError(
            "Stratified sampling needs a column whose groups keep their share.",
            code="sampling.column_required",
        )


def _group_codes(column: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    encoded = pc.dictionary_encode(column).combine_chunks()
    missing = len(encoded.dictionary)
    return encoded.indices.fill_null(missing).to_numpy(zero_copy_only=False).astype(np.int64)


def _proportional(groups: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Rows drawn from each group in proportion to its size (largest remainders)."""
    labels, counts = np.unique(groups, return_counts=True)
    exact = counts * size / len(groups)
    quota = np.floor(exact).astype(np.int64)
    short = size - int(quota.sum())
    order = np.lexsort((labels, -(exact - quota)))
    quota[order[:short]] += 1
    picked = [
        rng.choice(np.flatnonzero(groups == label), size=int(q), replace=False)
        for label, q in zip(labels, quota, strict=True)
        if q > 0
    ]
    return np.concatenate(picked) if picked else np.array([], dtype=np.int64)


def _clusters(table: pa.Table, seed: int) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans

    numeric = [f.name for f in table.schema if is_numeric_type(f.type)]
    if not numeric:
        raise InvalidInputError(
            "Cluster sampling groups rows by their numeric columns, and this table has none; "
            "use random or stratified sampling.",
            code="sampling.no_numeric_columns",
        )
    matrix = np.column_stack(
        [table.column(n).cast(pa.float64()).to_numpy(zero_copy_only=False) for n in numeric]
    ).astype(np.float64)
    matrix[~np.isfinite(matrix)] = np.nan
    matrix = np.nan_to_num(standardise(matrix)[0])
    rng = np.random.default_rng(seed)
    fit = matrix[np.sort(rng.permutation(len(matrix))[:_KMEANS_FIT_ROWS])]
    k = min(CLUSTERS, len(np.unique(fit, axis=0)))
    if k < 2:
        return np.zeros(len(matrix), dtype=np.int64)
    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3).fit(fit)
    return model.predict(matrix).astype(np.int64)
