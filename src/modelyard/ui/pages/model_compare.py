"""Model versions side by side: a metrics table, a grouped bar chart, a parameter diff.

Imported by ``model_version`` before it registers ``/models/{id}``, so that
``/models/compare`` is matched first.
"""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.comparison import VersionComparison
from modelyard.errors import InvalidInputError
from modelyard.ui.components.cards import section
from modelyard.ui.components.charts import PALETTE, chart_title, echart
from modelyard.ui.context import call, services
from modelyard.ui.formatting import metric, metric_name, size
from modelyard.ui.layout import page


@page("/models/compare", "Compare model versions")
async def model_compare_page(actor: Actor, ids: str = "") -> None:
    comparison = await call(services().models.compare, actor, parse_ids(ids))
    _metrics_table(comparison)
    _metrics_chart(comparison)
    _params_diff(comparison)


def parse_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInputError(
            "Pick two or more model versions to compare on the Models page.",
            code="model.bad_ids",
        ) from exc


def _label(comparison: VersionComparison, index: int) -> str:
    model = comparison.versions[index].model
    return f"{model.name} v{model.version} (id {model.id})"


def _metrics_table(comparison: VersionComparison) -> None:
    labels = [_label(comparison, i) for i in range(len(comparison.versions))]
    rows: list[dict[str, str]] = []
    facts = {
        "stage": [v.model.stage for v in comparison.versions],
        "algorithm": [v.algorithm for v in comparison.versions],
        "dataset version": [str(v.dataset_version_id) for v in comparison.versions],
        "target": [v.target for v in comparison.versions],
        "input columns": [str(len(v.model.feature_columns)) for v in comparison.versions],
        "model size": [size(v.size_bytes) if v.size_bytes else "-" for v in comparison.versions],
    }
    for name, values in facts.items():
        rows.append({"field": name, **dict(zip(labels, values, strict=True))})
    for name in comparison.metrics:
        scores = [v.model.metrics.get(name) for v in comparison.versions]
        cells = [metric(score) if score is not None else "-" for score in scores]
        rows.append({"field": metric_name(name), **dict(zip(labels, cells, strict=True))})
    for name in comparison.card_fields:
        cells = [str(v.model.card.get(name, "")) for v in comparison.versions]
        rows.append({"field": f"card: {name}", **dict(zip(labels, cells, strict=True))})
    columns = [{"name": "field", "label": "", "field": "field", "align": "left"}]
    columns += [
        {"name": label, "label": label, "field": label, "align": "left"} for label in labels
    ]
    with section("Side by side", "compare", marker="compare-table"):
        ui.table(columns=columns, rows=rows, row_key="field").props("dense flat").classes(
            "w-full"
        ).mark("compare-metrics")


def _metrics_chart(comparison: VersionComparison) -> None:
    if not comparison.metrics:
        return
    series = [
        {
            "type": "bar",
            "name": _label(comparison, i),
            "data": [round(v.model.metrics.get(name, 0.0), 4) for name in comparison.metrics],
            "itemStyle": {"color": PALETTE[i % len(PALETTE)]},
        }
        for i, v in enumerate(comparison.versions)
    ]
    options = {
        "title": chart_title("Metrics (hold-out split)"),
        "legend": {"top": 24},
        "grid": {"left": 8, "right": 8, "top": 64, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [metric_name(m) for m in comparison.metrics]},
        "yAxis": {"type": "value"},
        "series": series,
        "tooltip": {"trigger": "axis"},
    }
    echart(options, height=360, marker="compare-chart")


def _params_diff(comparison: VersionComparison) -> None:
    with section("Parameters that differ", "difference", marker="compare-params"):
        if not comparison.differing_params:
            ui.label("The versions were trained with the same parameters.").classes("text-grey-7")
            return
        labels = [_label(comparison, i) for i in range(len(comparison.versions))]
        rows = [
            {
                "param": name,
                **{
                    label: str(v.params.get(name, "-"))
                    for label, v in zip(labels, comparison.versions, strict=True)
                },
            }
            for name in comparison.differing_params
        ]
        columns = [{"name": "param", "label": "parameter", "field": "param", "align": "left"}]
        columns += [
            {"name": label, "label": label, "field": label, "align": "left"} for label in labels
        ]
        ui.table(columns=columns, rows=rows, row_key="param").props("dense flat").classes("w-full")
