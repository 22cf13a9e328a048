"""What a clustering or anomaly search found, as plain JSON-safe data for charts and tables.

Clusters: sizes, a profile per cluster (mean of each numeric feature, most frequent value
of each other one) and a 2-D PCA projection of a sample of rows coloured by cluster.
Anomalies: a histogram of the anomaly score with the threshold, the most anomalous rows,
and the same projection coloured by the anomaly flag.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PROJECTION_SAMPLE = 1_000
TOP_ANOMALIES = 20
HISTOGRAM_BINS = 30


def describe_clusters(
    pipeline: Any, X: pd.DataFrame, Z: np.ndarray, *, seed: int
) -> dict[str, Any]:
    labels = np.asarray(pipeline.predict(X))
    ids, counts = np.unique(labels, return_counts=True)
    return {
        "cluster_sizes": {str(int(i)): int(n) for i, n in zip(ids, counts, strict=True)},
        "profiles": [_profile(X[labels == i], int(i), len(X)) for i in ids],
        "projection": projection(Z, labels, seed=seed),
    }


def describe_anomalies(
    pipeline: Any, X: pd.DataFrame, Z: np.ndarray, *, seed: int
) -> dict[str, Any]:
    scores = np.asarray(pipeline.score_samples(X), dtype=float)
    flags = np.asarray(pipeline.predict(X))
    threshold = float(pipeline.named_steps["model"].threshold_)
    counts, edges = np.histogram(scores, bins=HISTOGRAM_BINS)
    top = np.argsort(-scores)[:TOP_ANOMALIES]
    rows = X.iloc[top].astype(object).where(X.iloc[top].notna(), None)
    return {
        "histogram": {
            "edges": [float(e) for e in edges],
            "counts": [int(c) for c in counts],
            "threshold": threshold,
        },
        "n_anomalies": int(flags.sum()),
        "anomaly_share": float(flags.mean()),
        "top_anomalies": [
            {"row": int(i), "anomaly_score": float(scores[i]), **_plain_row(row)}
            for i, (_, row) in zip(top, rows.iterrows(), strict=True)
        ],
        "projection": projection(Z, flags, seed=seed),
    }


def projection(Z: np.ndarray, groups: np.ndarray, *, seed: int) -> list[dict[str, Any]]:
    """A sample of rows on their first two principal components, with their group."""
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(Z), size=min(PROJECTION_SAMPLE, len(Z)), replace=False))
    points = Z[picked]
    if points.shape[1] >= 2:
        xy = PCA(n_components=2, random_state=seed).fit_transform(points)
    else:
        xy = np.column_stack([points[:, 0], np.zeros(len(points))])
    return [
        {"x": round(float(x), 4), "y": round(float(y), 4), "group": int(g)}
        for (x, y), g in zip(xy, groups[picked], strict=True)
    ]


def _profile(rows: pd.DataFrame, cluster: int, total: int) -> dict[str, Any]:
    features: dict[str, Any] = {}
    for column in rows.columns:
        series = rows[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            mean = series.mean()
            features[str(column)] = None if pd.isna(mean) else round(float(mean), 4)
        else:
            mode = series.dropna().astype(str).mode()
            features[str(column)] = str(mode.iloc[0]) if len(mode) else None
    return {
        "cluster": cluster,
        "size": len(rows),
        "share": round(len(rows) / max(total, 1), 4),
        "features": features,
    }


def _plain_row(row: pd.Series) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not np.isfinite(value):
            value = None
        out[str(key)] = (
            value if value is None or isinstance(value, int | float | bool) else str(value)
        )
    return out
