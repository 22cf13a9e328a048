"""What a clustering or anomaly run found: sizes, a 2-D projection, profiles, scores.

Reads ``run.details["report"]`` (written by the training service); draws with ECharts so
every chart is interactive (hover, zoom, legend toggles) and downloadable as PNG.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain import Run
from modelyard.ui.components.cards import metric_cards
from modelyard.ui.components.charts import PALETTE, bar_chart, chart_title, echart

TASKS = {
    "auto": "Auto (from the target)",
    "classification": "Classification",
    "regression": "Regression",
    "clustering": "Clustering (no target)",
    "anomaly": "Anomaly detection (no target)",
}
UNSUPERVISED = ("clustering", "anomaly")


def is_unsupervised(task: str | None) -> bool:
    return task in UNSUPERVISED


def cluster_view(run: Run) -> None:
    """The clustering or anomaly section of a run's result."""
    report: dict[str, Any] = run.details.get("report") or {}
    with ui.column().classes("w-full gap-3").mark("cluster-view"):
        label = f" (label column '{run.target}' kept out)" if run.target else ""
        ui.label(
            f"{run.algorithm} for {run.task}, scored on the training rows"
            f"{label}; {len(run.feature_columns)} features, "
            f"{run.details.get('n_trials', 0)} configurations tried."
        ).classes("text-grey-8")
        metric_cards(run.metrics)
        if run.task == "clustering":
            sizes = {f"cluster {k}": float(v) for k, v in report.get("cluster_sizes", {}).items()}
            bar_chart(sizes, title="Cluster sizes (rows)", marker="cluster-sizes")
            projection_chart(report.get("projection") or [], task=run.task)
            _profile_table(report.get("profiles") or [])
        else:
            ui.label(
                f"{report.get('n_anomalies', 0)} rows flagged as anomalies "
                f"({100 * float(report.get('anomaly_share', 0)):.1f}%); a higher score is "
                "more unusual."
            ).classes("text-grey-8")
            _histogram(report.get("histogram") or {})
            projection_chart(report.get("projection") or [], task=run.task)
            _top_anomalies(report.get("top_anomalies") or [])


def projection_chart(points: list[dict[str, Any]], *, task: str) -> ui.echart:
    """Rows on their first two principal components, one coloured series per group."""
    groups = sorted({int(p["group"]) for p in points})
    series = [
        {
            "type": "scatter",
            "name": _group_name(group, task),
            "symbolSize": 6,
            "itemStyle": {"color": PALETTE[i % len(PALETTE)]},
            "data": [[p["x"], p["y"]] for p in points if int(p["group"]) == group],
        }
        for i, group in enumerate(groups)
    ]
    options = {
        "title": chart_title("2-D projection (PCA) of a sample of rows"),
        "legend": {"top": 24},
        "grid": {"left": 8, "right": 16, "top": 64, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "PC 1", "scale": True},
        "yAxis": {"type": "value", "name": "PC 2", "scale": True},
        "tooltip": {"trigger": "item"},
        "dataZoom": [{"type": "inside"}],
        "series": series,
    }
    return echart(options, height=380, marker="cluster-projection")


def _group_name(group: int, task: str) -> str:
    if task == "clustering":
        return f"cluster {group}"
    return "anomaly" if group else "normal"


def _profile_table(profiles: list[dict[str, Any]]) -> None:
    features = list(profiles[0]["features"]) if profiles else []
    columns = [
        {"name": "cluster", "label": "Cluster", "field": "cluster"},
        {"name": "size", "label": "Rows", "field": "size"},
        {"name": "share", "label": "Share", "field": "share"},
        *({"name": f, "label": f, "field": f} for f in features),
    ]
    rows = [
        {
            "cluster": p["cluster"],
            "size": p["size"],
            "share": f"{100 * p['share']:.1f}%",
            **p["features"],
        }
        for p in profiles
    ]
    ui.label("Cluster profiles: mean of numbers, most frequent value otherwise").classes(
        "font-semibold"
    )
    ui.table(columns=columns, rows=rows, row_key="cluster").classes("w-full").mark(
        "cluster-profiles"
    )


def _histogram(histogram: dict[str, Any]) -> None:
    edges: list[float] = histogram.get("edges") or []
    counts: list[int] = histogram.get("counts") or []
    centres = [round((a + b) / 2, 3) for a, b in zip(edges, edges[1:], strict=False)]
    threshold = histogram.get("threshold")
    mark = {"data": [{"xAxis": _nearest(centres, threshold)}], "label": {"formatter": "threshold"}}
    options = {
        "title": chart_title("Anomaly score distribution"),
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": centres, "name": "score"},
        "yAxis": {"type": "value", "name": "rows"},
        "tooltip": {"trigger": "axis"},
        "series": [
            {
                "type": "bar",
                "data": counts,
                "itemStyle": {"color": PALETTE[2]},
                **({"markLine": mark} if threshold is not None and centres else {}),
            }
        ],
    }
    echart(options, height=300, marker="anomaly-histogram")


def _nearest(centres: list[float], value: float | None) -> int:
    if value is None or not centres:
        return 0
    return min(range(len(centres)), key=lambda i: abs(centres[i] - value))


def _top_anomalies(rows: list[dict[str, Any]]) -> None:
    names = list(rows[0]) if rows else ["row", "anomaly_score"]
    columns = [{"name": n, "label": n.replace("_", " "), "field": n} for n in names]
    shown = [{**r, "anomaly_score": round(float(r["anomaly_score"]), 4)} for r in rows]
    ui.label("Most anomalous rows").classes("font-semibold")
    ui.table(columns=columns, rows=shown, row_key="row").classes("w-full").mark("top-anomalies")
