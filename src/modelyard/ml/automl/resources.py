"""How much memory a search will need, and what to do when it would not fit.

The estimate adds, in bytes: the table as loaded, the search rows copied out of it, the
preprocessed fold matrices (float64, the encoded width wide; the fold cache keeps at most
1 GiB of them, plus the one in use), the out-of-fold predictions kept for the ensemble
(and its cross-check on few rows), and the working memory of the hungriest family while it
fits (a per-family multiple of its training matrix, measured by
``benchmarks/automl_memory_factors.py``). Parallel trials each hold their own copy of the
search rows, a fold and a fitting model.

Before a search: when the estimate fits the limit, go; when it does not, drop the
memory-hungry families first (forests, networks, CatBoost, XGBoost, k-NN), then downsample the
rows (stratified for classification), saying so; refuse when even the smallest sample
would not fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.columns import LOW_CARDINALITY, ColumnKinds
from modelyard.ml.automl.ensemble import kept_per_family

GB = 1024**3
_CACHE_BYTES = 1 << 30  # FoldCache's default ceiling
_BASE_BYTES = 600 * 1024**2  # the interpreter with pandas, sklearn, boosters imported
MIN_ROWS = 1_000  # below this a downsampled search is not worth running

# Working memory while fitting, as a multiple of the float64 training matrix. Measured with
# benchmarks/automl_memory_factors.py (20,000 x 30 and 100,000 x 40, default settings):
# LightGBM 3.1 / 2.0, HistGradientBoosting 3.1 / 1.9, XGBoost 4.3 / 1.6 (falling as fixed
# buffers matter less), linear 0.5 / 0.2, decision tree 1.0 / 0.7, k-NN 0.7, random forest
# 19, extra trees 51 (fully grown trees: their size follows the rows, not the matrix).
# CatBoost and the networks are estimates, not measured.
FAMILY_FACTORS: dict[str, float] = {
    "linear": 0.5,
    "decision_tree": 1.0,
    "lightgbm": 2.0,
    "hist_gradient_boosting": 2.0,
    "xgboost": 2.0,
    "catboost": 3.0,
    "knn": 1.0,
    "random_forest": 20.0,
    "extra_trees": 50.0,
    "mlp": 2.0,
    "tabular_transformer": 4.0,
}
_DEFAULT_FACTOR = 2.0
_SCALED = {"linear", "knn", "mlp", "tabular_transformer"}
# dropped first when memory is short, hungriest first; never the last boosting family
_HUNGRY_ORDER = (
    "extra_trees",
    "random_forest",
    "tabular_transformer",
    "catboost",
    "mlp",
    "xgboost",
    "knn",
)


def default_memory_limit_gb() -> float:
    """75% of this machine's RAM."""
    import psutil

    return 0.75 * psutil.virtual_memory().total / GB


@dataclass(frozen=True)
class Shape:
    """What the estimate needs to know about the data."""

    n_rows: int  # labelled rows of the table
    table_bytes: int  # the table as loaded (all columns)
    row_bytes: float  # bytes per row of the feature columns
    encoded_width: int  # columns after preprocessing
    n_outputs: int = 1  # classes (classification) or 1
    test_size: float = 0.2


@dataclass(frozen=True)
class MemoryEstimate:
    total_bytes: int
    parts: dict[str, int]
    hungriest: str

    @property
    def total_gb(self) -> float:
        return self.total_bytes / GB

    def describe(self) -> str:
        top = sorted(self.parts.items(), key=lambda kv: -kv[1])[:3]
        detail = ", ".join(f"{name} {size / GB:.2f} GB" for name, size in top)
        return f"~{self.total_gb:.2f} GB peak ({detail}; hungriest family {self.hungriest})"


def encoded_width(X: pd.DataFrame, kinds: ColumnKinds, n_classes: int = 0) -> int:
    """Columns after preprocessing: one-hot levels, target encodings, calendar parts."""
    width = len(kinds.numeric) + 6 * len(kinds.datetime) + 100 * len(kinds.text)
    for column in kinds.categorical:
        width += min(int(X[column].nunique(dropna=False)), LOW_CARDINALITY + 1)
    width += len(kinds.high_cardinality) * max(1, n_classes if n_classes > 2 else 1)
    return max(width, 1)


def shape_of(
    table: pd.DataFrame,
    features: list[str],
    kinds: ColumnKinds,
    *,
    n_classes: int = 0,
    test_size: float = 0.2,
) -> Shape:
    n_rows = max(len(table), 1)
    feature_bytes = int(table[features].memory_usage(deep=True, index=False).sum())
    return Shape(
        n_rows=len(table),
        table_bytes=int(table.memory_usage(deep=True, index=True).sum()),
        row_bytes=feature_bytes / n_rows,
        encoded_width=encoded_width(table, kinds, n_classes),
        n_outputs=max(n_classes, 1),
        test_size=test_size,
    )


def estimate_memory(
    shape: Shape,
    families: list[str],
    *,
    n_folds: int,
    n_rows: int | None = None,
    parallel_trials: int = 1,
) -> MemoryEstimate:
    """Peak bytes of a search on ``n_rows`` of the table (default: all of them).

    The table itself stays loaded whatever ``n_rows`` is (the caller holds it).
    """
    rows = shape.n_rows if n_rows is None else n_rows
    search_rows = rows * (1 - shape.test_size)
    train_rows = search_rows * (1 - 1 / max(n_folds, 2))
    fold = search_rows * shape.encoded_width * 8  # one fold's train + validation matrices
    kinds = 1 + int(any(f in _SCALED for f in families) and any(f not in _SCALED for f in families))
    cache = min(kinds * n_folds * fold, _CACHE_BYTES) + fold
    hungriest = max(families, key=lambda f: FAMILY_FACTORS.get(f, _DEFAULT_FACTOR))
    factor = FAMILY_FACTORS.get(hungriest, _DEFAULT_FACTOR)
    working = factor * train_rows * shape.encoded_width * 8
    kept = kept_per_family(int(search_rows)) * len(families) + 1
    predictions = search_rows * shape.n_outputs * 8 * kept
    per_trial = search_rows * shape.row_bytes + cache + working
    parts = {
        "base": _BASE_BYTES,
        "table": shape.table_bytes,
        "search rows, folds and model": int(per_trial * max(parallel_trials, 1)),
        "kept predictions": int(predictions),
    }
    return MemoryEstimate(int(sum(parts.values())), parts, hungriest)


@dataclass(frozen=True)
class MemoryPlan:
    """What the search may use: the families kept, the rows kept, and why."""

    estimate: MemoryEstimate
    limit_bytes: int
    families: list[str]
    n_rows: int  # rows to search on (== the table's when not downsampled)
    dropped_families: list[str] = field(default_factory=list)
    downsampled_from: int | None = None

    @property
    def notes(self) -> list[str]:
        limit = f"{self.limit_bytes / GB:.1f} GB"
        lines = [f"memory estimate {self.estimate.describe()}; limit {limit}"]
        if self.dropped_families:
            lines.append(
                f"dropped memory-hungry families {', '.join(self.dropped_families)} to fit {limit}"
            )
        if self.downsampled_from is not None:
            lines.append(
                f"downsampled {self.downsampled_from:,} -> {self.n_rows:,} rows to fit {limit}"
            )
        return lines


def plan_memory(
    shape: Shape,
    families: list[str],
    *,
    n_folds: int,
    limit_gb: float,
    parallel_trials: int = 1,
) -> MemoryPlan:
    """Go, drop hungry families, downsample, or refuse (InvalidInputError)."""
    limit = int(limit_gb * GB)

    def estimate(names: list[str], rows: int | None = None) -> MemoryEstimate:
        return estimate_memory(
            shape, names, n_folds=n_folds, n_rows=rows, parallel_trials=parallel_trials
        )

    first = estimate(families)
    if first.total_bytes <= limit:
        return MemoryPlan(first, limit, list(families), shape.n_rows)
    kept, dropped = list(families), []
    for name in _HUNGRY_ORDER:
        if name in kept and len(kept) > 1 and not _is_last_booster(name, kept):
            kept.remove(name)
            dropped.append(name)
            if estimate(kept).total_bytes <= limit:
                return MemoryPlan(estimate(kept), limit, kept, shape.n_rows, dropped)
    rows = _largest_fitting_rows(shape, lambda n: estimate(kept, n).total_bytes <= limit)
    if rows < min(MIN_ROWS, shape.n_rows):
        smallest = estimate(kept, min(MIN_ROWS, shape.n_rows))
        raise InvalidInputError(
            f"The search would not fit the memory limit of {limit_gb:.1f} GB: "
            f"{first.describe()}, and even {min(MIN_ROWS, shape.n_rows):,} rows with "
            f"{', '.join(kept)} need ~{smallest.total_gb:.2f} GB. Raise "
            "training.memory_limit_gb (MODELYARD_TRAINING__MEMORY_LIMIT_GB), or train on "
            "fewer or narrower columns.",
            code="automl.memory_insufficient",
            details={"estimate_gb": first.total_gb, "limit_gb": limit_gb},
        )
    return MemoryPlan(estimate(kept, rows), limit, kept, rows, dropped, shape.n_rows)


def _is_last_booster(name: str, kept: list[str]) -> bool:
    boosters = {"lightgbm", "hist_gradient_boosting", "xgboost", "catboost"}
    return name in boosters and len(boosters & set(kept)) == 1


def _largest_fitting_rows(shape: Shape, fits: object) -> int:
    """Binary search on the row count (the estimate grows with rows)."""
    assert callable(fits)
    low, high = 0, shape.n_rows
    while high - low > max(1, shape.n_rows // 1000):
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return int(math.floor(low / 1000) * 1000) if low >= 10_000 else low


def stratified_sample(y: np.ndarray, n_rows: int, *, seed: int, stratify: bool) -> np.ndarray:
    """Sorted positions of ``n_rows`` rows; each class keeps its share (at least 2 rows)."""
    rng = np.random.default_rng(seed)
    if n_rows >= len(y):
        return np.arange(len(y))
    if not stratify:
        return np.sort(rng.choice(len(y), size=n_rows, replace=False))
    picked = []
    classes, codes = np.unique(y, return_inverse=True)
    for code in range(len(classes)):
        members = np.flatnonzero(codes == code)
        share = max(2, int(round(n_rows * len(members) / len(y))))
        picked.append(rng.choice(members, size=min(share, len(members)), replace=False))
    return np.sort(np.concatenate(picked))
