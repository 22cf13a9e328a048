"""The charts of a profile, each drawn from its part of the profile's JSON document.

Shapes follow ``modelyard.profiling.models`` (``Profile.to_dict()``): histograms have
``edges``/``counts``/``labels``, box plots ``q1``/``median``/``q3``/whiskers, and so on.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.ui.components.charts import PALETTE, Options, chart_title, echart
from modelyard.ui.formatting import moment_text, number

Doc = dict[str, Any]

AXIS_LABEL = {"fontSize": 10, "hideOverlap": True}


def histogram_chart(histogram: Doc, *, title: str, marker: str, height: int = 220) -> ui.echart:
    """Equal-width bins as bars; datetime bins are labelled with their dates."""
    edges, counts = histogram.get("edges", []), histogram.get("counts", [])
    dates = histogram.get("labels") or []
    labels = [moment_text(d)[:10] for d in dates] if dates else [number(e) for e in edges]
    names = [f"{labels[i]} to {labels[i + 1]}" for i in range(len(counts))]
    start_only = {**AXIS_LABEL, "rotate": 30, ":formatter": "v => v.split(' to ')[0]"}
    options = {
        "title": chart_title(title),
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": start_only},
        "yAxis": {"type": "value", "name": "rows"},
        "series": [{"type": "bar", "data": counts, "barCategoryGap": "4%", "color": PALETTE[0]}],
        "tooltip": {"trigger": "axis"},
    }
    return echart(options, height=height, marker=marker)


def box_chart(box: Doc, outliers: Doc | None, *, name: str, marker: str) -> ui.echart:
    """A horizontal Tukey box plot, with the outlier fences as dashed lines."""
    stats = [box["lower_whisker"], box["q1"], box["median"], box["q3"], box["upper_whisker"]]
    fences = [box["lower_fence"], box["upper_fence"]]
    options: Options = {
        "grid": {"left": 8, "right": 16, "top": 28, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "scale": True, "axisLabel": AXIS_LABEL},
        "yAxis": {"type": "category", "data": [name], "axisLabel": {"show": False}},
        "series": [
            {
                "type": "boxplot",
                "data": [stats],
                "itemStyle": {"color": "#e3efe9", "borderColor": PALETTE[0]},
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": PALETTE[3]},
                    "label": {"show": False},
                    "data": [{"xAxis": f} for f in fences],
                },
            }
        ],
        "tooltip": {"trigger": "item"},
    }
    if outliers:
        heading = chart_title(
            f"{outliers.get('iqr_count', 0)} outside the IQR fences (dashed), "
            f"{outliers.get('z_count', 0)} with |z| > {number(outliers.get('z_threshold'))}"
        )
        options["title"] = {**heading, "textStyle": {"fontSize": 12, "fontWeight": "normal"}}
    return echart(options, height=130, marker=marker)


def heatmap_chart(
    columns: list[str],
    values: list[list[float | None]],
    *,
    title: str,
    marker: str,
    signed: bool = True,
) -> ui.echart:
    """A square matrix of associations; signed (-1..1) or not (0..1)."""
    data = [
        [j, i, round(v, 2) if v is not None else "-"]
        for i, row in enumerate(values)
        for j, v in enumerate(row)
    ]
    colors = ["#a5484a", "#f7f7f7", "#1f6f5c"] if signed else ["#f7f7f7", "#1f6f5c"]
    show_labels = len(columns) <= 12
    options = {
        "title": chart_title(title),
        "grid": {"left": 8, "right": 80, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": columns, "axisLabel": {**AXIS_LABEL, "rotate": 40}},
        "yAxis": {"type": "category", "data": columns, "inverse": True, "axisLabel": AXIS_LABEL},
        "visualMap": {
            "min": -1 if signed else 0,
            "max": 1,
            "calculable": True,
            "orient": "vertical",
            "right": 0,
            "top": "middle",
            "inRange": {"color": colors},
        },
        "series": [
            {
                "type": "heatmap",
                "data": data,
                "label": {"show": show_labels, "fontSize": 10},
                "emphasis": {"itemStyle": {"borderColor": "#333", "borderWidth": 1}},
            }
        ],
        "tooltip": {"position": "top"},
    }
    height = min(720, 140 + 30 * len(columns))
    return echart(options, height=height, marker=marker)


def missing_patterns_chart(patterns: Doc, *, marker: str) -> ui.echart:
    """Which columns are missing together: one row per pattern, red where missing."""
    columns: list[str] = patterns.get("columns", [])
    rows = patterns.get("patterns", [])
    labels = [f"{p['count']:,} rows ({p['share'] * 100:.1f}%)" for p in rows]
    data = [
        [j, i, 1 if name in p["missing_columns"] else 0]
        for i, p in enumerate(rows)
        for j, name in enumerate(columns)
    ]
    options = {
        "title": chart_title(f"Missing-value patterns ({patterns.get('sample_rows', 0):,} rows)"),
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": columns, "axisLabel": {**AXIS_LABEL, "rotate": 40}},
        "yAxis": {"type": "category", "data": labels, "inverse": True, "axisLabel": AXIS_LABEL},
        "visualMap": {
            "type": "piecewise",
            "show": False,
            "pieces": [{"value": 0, "color": "#e3efe9"}, {"value": 1, "color": "#a5484a"}],
        },
        "series": [{"type": "heatmap", "data": data, "itemStyle": {"borderColor": "#fff"}}],
    }
    height = min(640, 120 + 28 * len(rows) + 6 * max((len(c) for c in columns), default=0))
    return echart(options, height=height, marker=marker)


def scatter_matrix_chart(matrix: Doc, *, marker: str) -> ui.echart:
    """Pairwise scatter plots of the top numeric features, coloured by the target's class."""
    columns: list[str] = matrix["columns"]
    n = len(columns)
    groups = _groups(matrix["points"], matrix.get("color"))
    grids: list[Options] = []
    x_axes: list[Options] = []
    y_axes: list[Options] = []
    series: list[Options] = []
    size = 88 / n
    for i in range(n):
        for j in range(n):
            k = len(grids)
            grids.append(
                {
                    "left": f"{9 + j * size}%",
                    "top": f"{6 + i * size}%",
                    "width": f"{size - 2.5}%",
                    "height": f"{size - 2.5}%",
                }
            )
            x_axes.append(_axis(k, columns[j] if i == n - 1 else "", "middle", 24))
            y_axes.append(_axis(k, columns[i] if j == 0 else "", "middle", 40))
            if i == j:
                continue
            for g, (name, points) in enumerate(groups.items()):
                data = [[p[j], p[i]] for p in points if p[j] is not None and p[i] is not None]
                series.append(_scatter(k, name, data, PALETTE[g % len(PALETTE)]))
    options: Options = {
        "title": chart_title(f"Scatter matrix (top features by {matrix.get('chosen_by', '')})"),
        "grid": grids,
        "xAxis": x_axes,
        "yAxis": y_axes,
        "series": series,
        "tooltip": {"trigger": "item"},
    }
    if len(groups) > 1:
        options["legend"] = {"top": 24, "data": list(groups)}
    return echart(options, height=140 + 130 * n, marker=marker)


def _groups(points: list[list[float | None]], color: list[str] | None) -> dict[str, list[Any]]:
    if not color:
        return {"rows": points}
    groups: dict[str, list[Any]] = {}
    for point, label in zip(points, color, strict=False):
        groups.setdefault(label, []).append(point)
    return groups


def _axis(grid: int, name: str, location: str, gap: int) -> Options:
    return {
        "gridIndex": grid,
        "type": "value",
        "scale": True,
        "name": name,
        "nameLocation": location,
        "nameGap": gap,
        "axisLabel": {"show": bool(name), "fontSize": 9, "hideOverlap": True},
        "splitLine": {"show": False},
    }


def _scatter(grid: int, name: str, data: list[list[Any]], color: str) -> Options:
    return {
        "type": "scatter",
        "name": name,
        "xAxisIndex": grid,
        "yAxisIndex": grid,
        "data": data,
        "symbolSize": 3,
        "itemStyle": {"color": color, "opacity": 0.6},
    }


def time_series_chart(series: Doc, *, marker: str) -> ui.echart:
    """Observed values with trend, seasonal and residual parts, stacked on one time axis."""
    parts = ("observed", "trend", "seasonal", "residual")
    stamps = [moment_text(stamp) for stamp in series["timestamps"]]
    grids = [
        {"left": 70, "right": 24, "top": f"{8 + k * 23}%", "height": "17%"}
        for k in range(len(parts))
    ]
    options = {
        "title": chart_title(
            f"{series['value_column']} over {series['time_column']} "
            f"(per {series['frequency']}, period {series['period']})"
        ),
        "grid": grids,
        "xAxis": [
            {"gridIndex": k, "type": "category", "data": stamps, "axisLabel": {"show": k == 3}}
            for k in range(len(parts))
        ],
        "yAxis": [
            {"gridIndex": k, "type": "value", "scale": True, "name": part, "nameGap": 8}
            for k, part in enumerate(parts)
        ],
        "series": [
            {
                "type": "line",
                "name": part,
                "xAxisIndex": k,
                "yAxisIndex": k,
                "data": series[part],
                "showSymbol": False,
                "color": PALETTE[k],
            }
            for k, part in enumerate(parts)
        ],
        "tooltip": {"trigger": "axis"},
        "axisPointer": {"link": [{"xAxisIndex": "all"}]},
        "dataZoom": [{"type": "inside", "xAxisIndex": [0, 1, 2, 3]}],
    }
    return echart(options, height=520, marker=marker)


def relation_chart(relation: Doc, *, task: str, marker: str) -> ui.echart:
    """One feature against the target: class shares per bin, or the target mean per bin."""
    labels = relation["x_labels"]
    stacked = task == "classification"
    options = {
        "title": chart_title(f"Target by {relation['feature']}"),
        "grid": {"left": 8, "right": 16, "top": 56, "bottom": 8, "containLabel": True},
        "legend": {"top": 24},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {**AXIS_LABEL, "rotate": 30}},
        "yAxis": {"type": "value", "max": 1 if stacked else None, "scale": not stacked},
        "series": [
            {
                "type": "bar" if stacked else "line",
                "name": name,
                "stack": "share" if stacked else None,
                "data": values,
                "color": PALETTE[k % len(PALETTE)],
            }
            for k, (name, values) in enumerate(relation["series"].items())
        ],
        "tooltip": {"trigger": "axis"},
    }
    return echart(options, height=300, marker=marker)
