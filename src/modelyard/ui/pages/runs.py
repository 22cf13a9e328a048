"""Run comparison: pick runs, then their metrics side by side, the settings that differ and
their curves overlaid."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.run_views import RunComparison
from modelyard.ui.components.evaluation_charts import line_chart, scatter_chart
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.layout import page


@page("/runs/compare", "Compare runs")
async def compare_page(actor: Actor, ids: str = "") -> None:
    runs = await call(services().training.list_runs, actor, limit=200)
    options = {
        r.id: f"#{r.id} {r.algorithm} · {r.target} ({r.created_at:%Y-%m-%d %H:%M})"
        for r in runs.items
    }
    chosen = [int(i) for i in ids.split(",") if i.strip().isdigit() and int(i) in options]
    ui.label("Pick two or more runs to compare.").classes("text-grey-7")
    with ui.row().classes("items-end gap-3 w-full"):
        picker = ui.select(options, multiple=True, value=chosen, label="Runs")
        picker.classes("min-w-[32rem]").props("use-chips").mark("run-picker")
        button = ui.button("Compare", icon="compare_arrows").mark("compare-runs")
    result = ui.column().classes("w-full gap-4")

    async def compare() -> None:
        comparison = await call(services().run_comparison.compare, actor, list(picker.value or []))
        result.clear()
        with result:
            _show(comparison)

    button.on_click(guarded(compare))
    if len(chosen) >= 2:
        await guarded(compare)()


def _show(comparison: RunComparison) -> None:
    ids = [str(i) for i in comparison.run_ids]
    ui.label("Metrics (held-out test rows; the best marked ★)").classes("text-lg font-semibold")
    columns = [{"name": "metric", "label": "metric", "field": "metric", "align": "left"}]
    columns += [{"name": i, "label": f"run {i}", "field": i} for i in ids]
    rows = [
        {"metric": r["metric"], **{i: _cell(r.get(i), r.get("best") == int(i)) for i in ids}}
        for r in comparison.metrics
    ]
    ui.table(columns=columns, rows=rows, row_key="metric").classes("w-full").mark("compare-metrics")
    ui.label("Settings that differ").classes("text-lg font-semibold")
    if comparison.params:
        columns = [{"name": "param", "label": "setting", "field": "param", "align": "left"}]
        columns += [{"name": i, "label": f"run {i}", "field": i} for i in ids]
        rows = [{"param": r["param"], **{i: str(r.get(i)) for i in ids}} for r in comparison.params]
        ui.table(columns=columns, rows=rows, row_key="param").classes("w-full").mark(
            "compare-params"
        )
    else:
        ui.label("The runs have the same settings.").mark("compare-params")
    _curves(comparison.curves)


def _cell(value: Any, is_best: bool) -> str:
    if value is None:
        return "-"
    text = f"{float(value):.4f}"
    return f"{text} ★" if is_best else text


def _curves(curves: dict[str, list[dict[str, Any]]]) -> None:
    with ui.grid(columns="repeat(auto-fit, minmax(420px, 1fr))").classes("w-full gap-4"):
        if curves.get("roc"):
            series = [
                {"name": f"run {c['run_id']} {c['label']}", "x": c["fpr"], "y": c["tpr"]}
                for c in curves["roc"]
            ]
            line_chart(
                series,
                title="ROC curves",
                x_name="False positive rate",
                y_name="True positive rate",
                marker="compare-roc",
                diagonal=True,
            )
        if curves.get("pr"):
            series = [
                {"name": f"run {c['run_id']} {c['label']}", "x": c["recall"], "y": c["precision"]}
                for c in curves["pr"]
            ]
            line_chart(
                series,
                title="Precision-recall curves",
                x_name="Recall",
                y_name="Precision",
                marker="compare-pr",
            )
        if curves.get("predicted_vs_actual"):
            points = {
                f"run {c['run_id']}": [
                    [a, p] for a, p in zip(c["actual"], c["predicted"], strict=False)
                ]
                for c in curves["predicted_vs_actual"]
            }
            scatter_chart(
                points,
                title="Predicted vs actual",
                x_name="actual",
                y_name="predicted",
                marker="compare-scatter",
            )
