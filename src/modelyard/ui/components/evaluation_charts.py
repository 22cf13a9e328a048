"""A run's evaluation drawn interactively: ROC, PR, calibration, a threshold slider, the
confusion matrix, residuals and predicted vs actual, importance, SHAP, learning curve.

Reads ``run.details["evaluation"]`` (see modelyard.ml.evaluation); parts that are absent
are simply not drawn. ``line_chart`` also draws the overlaid curves of run comparison.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.ui.components.charts import PALETTE, chart_title, echart

Series = list[dict[str, Any]]
# a y-axis name above the axis, read from the axis rightwards (centred on it, the left
# half was cut off: "bserved share"); x-axis names sit centred below the axis, in room
# the grid leaves at the bottom
_NAME_FROM_AXIS = {"align": "left"}


def line_chart(
    series: Series, *, title: str, x_name: str, y_name: str, marker: str, diagonal: bool = False
) -> ui.echart:
    """Lines of (x, y) points: ``series`` items are {"name", "x", "y"}."""
    drawn: Series = [
        {
            "name": s["name"],
            "type": "line",
            "showSymbol": False,
            "data": [[round(x, 4), round(y, 4)] for x, y in zip(s["x"], s["y"], strict=False)],
            "itemStyle": {"color": PALETTE[i % len(PALETTE)]},
        }
        for i, s in enumerate(series)
    ]
    if diagonal:
        drawn.append(
            {
                "name": "chance",
                "type": "line",
                "data": [[0, 0], [1, 1]],
                "lineStyle": {"type": "dashed", "color": "#999"},
                "showSymbol": False,
            }
        )
    options = {
        "title": chart_title(title),
        "legend": {"top": 24},
        "grid": {"left": 8, "right": 24, "top": 64, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "value", "name": x_name, "nameLocation": "middle", "nameGap": 24},
        "yAxis": {"type": "value", "name": y_name, "nameTextStyle": _NAME_FROM_AXIS},
        "tooltip": {"trigger": "axis"},
        "series": drawn,
    }
    return echart(options, height=320, marker=marker)


def scatter_chart(
    points: dict[str, list[list[float]]], *, title: str, x_name: str, y_name: str, marker: str
) -> ui.echart:
    options = {
        "title": chart_title(title),
        "legend": {"top": 24},
        "grid": {"left": 8, "right": 24, "top": 64, "bottom": 32, "containLabel": True},
        "xAxis": {
            "type": "value",
            "name": x_name,
            "scale": True,
            "nameLocation": "middle",
            "nameGap": 24,
        },
        "yAxis": {"type": "value", "name": y_name, "scale": True, "nameTextStyle": _NAME_FROM_AXIS},
        "tooltip": {"trigger": "item"},
        "series": [
            {"name": name, "type": "scatter", "symbolSize": 5, "data": data}
            for name, data in points.items()
        ],
    }
    return echart(options, height=320, marker=marker)


def evaluation_charts(evaluation: dict[str, Any]) -> None:
    """Every chart the evaluation has data for, in a responsive grid."""
    if not evaluation:
        ui.label("This run has no evaluation plots (it was trained before they existed).")
        return
    with (
        ui.grid(columns="repeat(auto-fit, minmax(420px, 1fr))")
        .classes("w-full gap-4")
        .mark("evaluation-charts")
    ):
        _classification(evaluation)
        _regression(evaluation)
        _explanations(evaluation)
    if evaluation.get("thresholds"):
        threshold_analysis(evaluation["thresholds"])
    for note in evaluation.get("notes") or []:
        ui.label(note).classes("text-sm text-grey-7")


def _curves(curves: Series, x: str, y: str) -> Series:
    return [{"name": c["label"], "x": c[x], "y": c[y]} for c in curves]


def _classification(e: dict[str, Any]) -> None:
    if e.get("roc"):
        line_chart(
            _curves(e["roc"], "fpr", "tpr"),
            title="ROC curve",
            x_name="False positive rate",
            y_name="True positive rate",
            marker="roc-chart",
            diagonal=True,
        )
    if e.get("pr"):
        line_chart(
            _curves(e["pr"], "recall", "precision"),
            title="Precision-recall curve",
            x_name="Recall",
            y_name="Precision",
            marker="pr-chart",
        )
    if e.get("calibration"):
        c = e["calibration"]
        series = [{"name": c["label"], "x": c["mean_predicted"], "y": c["fraction_positive"]}]
        line_chart(
            series,
            title="Calibration",
            x_name="Mean predicted probability",
            y_name="Observed share",
            marker="calibration-chart",
            diagonal=True,
        )
    if e.get("confusion_matrix"):
        confusion_heatmap(e["confusion_matrix"], e.get("classes") or [])


def confusion_heatmap(matrix: list[list[int]], classes: list[str]) -> ui.echart:
    labels = classes or [str(i) for i in range(len(matrix))]
    data = [[j, i, v] for i, row in enumerate(matrix) for j, v in enumerate(row)]
    options = {
        "title": chart_title("Confusion matrix (rows: true, columns: predicted)"),
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 48, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": labels,
            "name": "predicted",
            "nameLocation": "middle",
            "nameGap": 28,
        },
        "yAxis": {"type": "category", "data": labels, "name": "true", "inverse": True},
        "visualMap": {
            "min": 0,
            "max": max((v for row in matrix for v in row), default=1),
            "show": False,
            "inRange": {"color": ["#f4f8f7", PALETTE[0]]},
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": True}}],
        "tooltip": {"position": "top"},
    }
    return echart(options, height=320, marker="confusion-chart")


def _regression(e: dict[str, Any]) -> None:
    d = e.get("predicted_vs_actual")
    if not d:
        return
    pairs = [[a, p] for a, p in zip(d["actual"], d["predicted"], strict=False)]
    scatter_chart(
        {"rows": pairs},
        title="Predicted vs actual",
        x_name="actual",
        y_name="predicted",
        marker="predicted-actual-chart",
    )
    residuals = [[p, r] for p, r in zip(d["predicted"], d["residual"], strict=False)]
    scatter_chart(
        {"rows": residuals},
        title="Residuals",
        x_name="predicted",
        y_name="actual - predicted",
        marker="residuals-chart",
    )


def _bars(rows: Series, key: str, *, title: str, marker: str) -> ui.echart:
    top = rows[:20]
    options = {
        "title": chart_title(title),
        "grid": {"left": 8, "right": 56, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [r["feature"] for r in top], "inverse": True},
        "series": [{"type": "bar", "data": [round(r[key], 5) for r in top], "color": PALETTE[2]}],
        "tooltip": {"trigger": "axis"},
    }
    return echart(options, height=60 + 28 * len(top), marker=marker)


def _explanations(e: dict[str, Any]) -> None:
    if e.get("importance"):
        _bars(
            e["importance"], "importance", title="Permutation importance", marker="importance-chart"
        )
    if e.get("shap"):
        _bars(e["shap"], "mean_abs_shap", title="SHAP summary (mean |SHAP|)", marker="shap-chart")
    curve = e.get("learning_curve")
    if curve and curve.get("train_size"):
        sizes = curve["train_size"]
        line_chart(
            [
                {"name": "train", "x": sizes, "y": [v or 0 for v in curve["train_score"]]},
                {"name": "validation", "x": sizes, "y": [v or 0 for v in curve["val_score"]]},
            ],
            title="Learning curve",
            x_name="training rows",
            y_name=curve.get("metric") or "score",
            marker="learning-curve-chart",
        )


def threshold_analysis(rows: list[dict[str, float]]) -> None:
    """A slider over decision thresholds showing precision, recall and F1 at each."""
    by_threshold = {round(r["threshold"], 2): r for r in rows}
    with ui.card().classes("w-full").mark("threshold-analysis"):
        ui.label("Threshold analysis (positive class)").classes("font-semibold")
        figures = ui.label().mark("threshold-figures")

        def show(value: float) -> None:
            r = by_threshold.get(round(value, 2)) or rows[len(rows) // 2]
            figures.set_text(
                f"threshold {r['threshold']:.2f}: precision {r['precision']:.3f}, "
                f"recall {r['recall']:.3f}, F1 {r['f1']:.3f}, "
                f"{int(r['predicted_positive'])} predicted positive"
            )

        slider = ui.slider(min=0.05, max=0.95, step=0.05, value=0.5).mark("threshold-slider")
        slider.on_value_change(lambda event: show(float(event.value)))
        show(0.5)
        x = [r["threshold"] for r in rows]
        line_chart(
            [{"name": k, "x": x, "y": [r[k] for r in rows]} for k in ("precision", "recall", "f1")],
            title="Precision, recall and F1 by threshold",
            x_name="threshold",
            y_name="score",
            marker="threshold-chart",
        )
