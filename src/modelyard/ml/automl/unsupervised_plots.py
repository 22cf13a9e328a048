"""PNG plots of what an unsupervised search found, for MLflow artifacts (matplotlib, Agg).

The UI draws the same data interactively (ECharts); these files are for MLflow and reports.
"""

from __future__ import annotations

import io
from typing import Any


def plot_files(task: str, report: dict[str, Any]) -> dict[str, bytes]:
    """File name -> PNG bytes: the 2-D projection, and cluster sizes or the score histogram."""
    files = {"projection.png": _projection(report.get("projection") or [], task)}
    if task == "clustering":
        files["cluster_sizes.png"] = _sizes(report.get("cluster_sizes") or {})
    else:
        files["anomaly_scores.png"] = _histogram(report.get("histogram") or {})
    return files


def _figure() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(6, 4.5), dpi=100)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _projection(points: list[dict[str, Any]], task: str) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    groups = sorted({p["group"] for p in points})
    for group in groups:
        mine = [p for p in points if p["group"] == group]
        name = f"cluster {group}" if task == "clustering" else ("anomaly" if group else "normal")
        axes.scatter([p["x"] for p in mine], [p["y"] for p in mine], s=10, label=name)
    axes.set(title="Rows on their first two principal components", xlabel="PC 1", ylabel="PC 2")
    if groups:
        axes.legend(fontsize=8)
    return _png(figure)


def _sizes(sizes: dict[str, int]) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    axes.bar([f"cluster {k}" for k in sizes], list(sizes.values()), color="#3b82f6")
    axes.set(title="Cluster sizes", ylabel="rows")
    return _png(figure)


def _histogram(histogram: dict[str, Any]) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    edges, counts = histogram.get("edges") or [0.0, 1.0], histogram.get("counts") or [0]
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    axes.bar(edges[:-1], counts, width=widths, align="edge", color="#64748b")
    if "threshold" in histogram:
        axes.axvline(histogram["threshold"], color="#dc2626", label="anomaly threshold")
        axes.legend(fontsize=8)
    axes.set(title="Anomaly score (higher: more unusual)", xlabel="score", ylabel="rows")
    return _png(figure)
