"""Target analysis: task, distribution, class balance, and each feature's relation to it.

The task is classification for a categorical or boolean target, or whole numbers with at
most ``MAX_CLASSES`` values; regression for other numbers. Mutual information comes from
scikit-learn (``mutual_info_classif`` / ``mutual_info_regression``, k-NN estimator for
numeric features, categorical features as discrete codes) on at most ``MI_ROWS`` rows of
the sample; the plot data per feature uses the whole sample.
"""

from __future__ import annotations

import numpy as np

from modelyard.profiling.frame import Categorical, SampleFrame
from modelyard.profiling.models import (
    ColumnProfile,
    FeatureRelation,
    TargetAnalysis,
    TaskKind,
    finite,
)

MAX_CLASSES = 20
MI_ROWS = 20_000
MAX_RELATIONS = 40
BINS = 10
TOP_CLASSES = 10


def task_of(column: ColumnProfile) -> TaskKind:
    """Classification or regression, from the target's kind and number of values."""
    if column.kind in ("numeric",) or (column.kind == "integer" and column.distinct > MAX_CLASSES):
        return "regression"
    return "classification"


def analyse_target(
    frame: SampleFrame, column: ColumnProfile, features: list[str], *, seed: int
) -> TargetAnalysis:
    """Distribution, balance and feature relations of target ``column``."""
    task = task_of(column)
    balance = column.top_values if task == "classification" else []
    ratio = None
    if len(balance) >= 2 and column.distinct == len(balance):
        ratio = finite(balance[0].count / balance[-1].count)
    y = _target_values(frame, column, task)
    relations = [] if y is None else _relations(frame, features, y, task, seed)
    return TargetAnalysis(
        column=column.name,
        task=task,
        class_balance=balance,
        imbalance_ratio=ratio,
        histogram=column.histogram,
        relations=relations,
        sample_rows=frame.n_rows,
    )


def _target_values(
    frame: SampleFrame, column: ColumnProfile, task: TaskKind
) -> np.ndarray | Categorical | None:
    if task == "regression":
        return frame.numeric.get(column.name)
    return frame.target_classes


def _relations(
    frame: SampleFrame,
    features: list[str],
    y: np.ndarray | Categorical,
    task: TaskKind,
    seed: int,
) -> list[FeatureRelation]:
    features = [f for f in features if f in frame.numeric or f in frame.categorical]
    known = y.codes >= 0 if isinstance(y, Categorical) else ~np.isnan(y)
    rows = np.flatnonzero(known)
    if len(rows) < 3 or not features:
        return []
    scores = _mutual_information(frame, features, y, rows, task, seed)
    ranked = sorted(features, key=lambda f: -(scores.get(f) or 0.0))[:MAX_RELATIONS]
    return [_relation(frame, f, y, rows, scores.get(f)) for f in ranked]


def _mutual_information(
    frame: SampleFrame,
    features: list[str],
    y: np.ndarray | Categorical,
    rows: np.ndarray,
    task: TaskKind,
    seed: int,
) -> dict[str, float | None]:
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    rng = np.random.default_rng(seed)
    rows = np.sort(rng.permutation(rows)[:MI_ROWS])
    matrix = np.column_stack([_feature_matrix_column(frame, f, rows) for f in features])
    discrete = np.array([f in frame.categorical for f in features])
    if task == "classification" and isinstance(y, Categorical):
        scores = mutual_info_classif(
            matrix, y.codes[rows], discrete_features=discrete, random_state=seed
        )
    else:
        values = y.codes if isinstance(y, Categorical) else y
        scores = mutual_info_regression(
            matrix, values[rows], discrete_features=discrete, random_state=seed
        )
    return {f: finite(s) for f, s in zip(features, scores, strict=True)}


def _feature_matrix_column(frame: SampleFrame, name: str, rows: np.ndarray) -> np.ndarray:
    if name in frame.categorical:
        codes = frame.categorical[name].codes[rows]
        return np.where(codes < 0, codes.max(initial=0) + 1, codes).astype(np.float64)
    values = frame.numeric[name][rows]
    fill = np.nanmedian(values) if (~np.isnan(values)).any() else 0.0
    return np.where(np.isnan(values), fill, values)


def _relation(
    frame: SampleFrame,
    feature: str,
    y: np.ndarray | Categorical,
    rows: np.ndarray,
    mi: float | None,
) -> FeatureRelation:
    bins, labels = _bins(frame, feature, rows)
    keep = bins >= 0
    bins, rows = bins[keep], rows[keep]
    series: dict[str, list[float | None]] = {}
    if isinstance(y, Categorical):
        totals = np.bincount(bins, minlength=len(labels)).astype(float)
        for code, name in enumerate(y.labels[:TOP_CLASSES]):
            hits = np.bincount(bins[y.codes[rows] == code], minlength=len(labels))
            series[name] = [finite(h / t) if t else None for h, t in zip(hits, totals, strict=True)]
    else:
        totals = np.bincount(bins, minlength=len(labels)).astype(float)
        sums = np.bincount(bins, weights=y[rows], minlength=len(labels))
        series["mean"] = [finite(s / t) if t else None for s, t in zip(sums, totals, strict=True)]
    return FeatureRelation(feature=feature, mutual_information=mi, x_labels=labels, series=series)


def _bins(frame: SampleFrame, feature: str, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Bin index per row (-1 = missing) and bin labels: categories, values, or quantile bins."""
    if feature in frame.categorical:
        cat = frame.categorical[feature]
        return cat.codes[rows], cat.labels
    values = frame.numeric[feature][rows]
    known = values[~np.isnan(values)]
    if len(known) == 0:
        return np.full(len(rows), -1), []
    distinct = np.unique(known)
    if len(distinct) <= BINS:
        index = np.searchsorted(distinct, values)
        return np.where(np.isnan(values), -1, index), [f"{v:.4g}" for v in distinct]
    edges = np.unique(np.quantile(known, np.linspace(0, 1, BINS + 1)))
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    labels = [f"{lo:.4g} to {hi:.4g}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    return np.where(np.isnan(values), -1, index), labels
