"""Whole-table views on the row sample: missing-value patterns and the scatter matrix."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modelyard.profiling.frame import SampleFrame
from modelyard.profiling.models import MissingPattern, MissingPatterns, ScatterMatrix

TOP_PATTERNS = 15
SCATTER_FEATURES = 5
SCATTER_POINTS = 500


def missing_patterns(sample: pa.Table) -> MissingPatterns:
    """The most common combinations of missing columns among the sampled rows.

    A value is missing when it is null or a floating-point NaN. Only columns with at least
    one missing value in the sample take part; the pattern with no missing column is
    included (it is usually the most common one).
    """
    masks: list[np.ndarray] = []
    names: list[str] = []
    for name, column in zip(sample.column_names, sample.columns, strict=True):
        missing = _is_missing(column)
        if missing.any():
            masks.append(missing)
            names.append(name)
    n = sample.num_rows
    if not names or n == 0:
        full = [MissingPattern(missing_columns=[], count=n, share=1.0)] if n else []
        return MissingPatterns(columns=[], patterns=full, sample_rows=n)
    packed = np.packbits(np.column_stack(masks), axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = sorted(range(len(unique)), key=lambda i: (-counts[i], first[i]))[:TOP_PATTERNS]
    patterns = [
        MissingPattern(
            missing_columns=[names[j] for j in range(len(names)) if masks[j][first[i]]],
            count=int(counts[i]),
            share=float(counts[i]) / n,
        )
        for i in order
    ]
    return MissingPatterns(columns=names, patterns=patterns, sample_rows=n)


def _is_missing(column: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_floating(column.type):
        mask = pc.is_null(column, nan_is_null=True)
    else:
        mask = pc.is_null(column)
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def scatter_matrix(
    frame: SampleFrame,
    *,
    target: str | None,
    relevance: dict[str, float],
    seed: int,
) -> ScatterMatrix | None:
    """Up to ``SCATTER_POINTS`` sampled points of the top numeric features.

    Features are ranked by mutual information with the target when one is given
    (``relevance``), else by the variance of the values scaled to [0, 1] (spread that does
    not depend on units). A numeric target is shown as a column, a categorical one as
    the colour of each point.
    """
    features = [n for n in frame.numeric if n != target]
    if relevance:
        features.sort(key=lambda n: -relevance.get(n, 0.0))
        chosen_by = "mutual information with the target"
    else:
        features.sort(key=lambda n: -_scaled_variance(frame.numeric[n]))
        chosen_by = "variance of the values scaled to [0, 1]"
    columns = features[:SCATTER_FEATURES]
    if target in frame.numeric:
        columns = [*columns[: SCATTER_FEATURES - 1], str(target)]
    if len(columns) < 2:
        return None
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.permutation(frame.n_rows)[:SCATTER_POINTS])
    points = [[_point(frame.numeric[c][r]) for c in columns] for r in rows]
    color = None
    if target in frame.categorical:
        cat = frame.categorical[str(target)]
        color = [cat.labels[c] if c >= 0 else "(missing)" for c in cat.codes[rows]]
    return ScatterMatrix(columns=columns, points=points, color=color, chosen_by=chosen_by)


def _scaled_variance(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    if len(finite) < 2 or finite.max() == finite.min():
        return 0.0
    return float(np.var((finite - finite.min()) / (finite.max() - finite.min())))


def _point(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)
