"""Charts drawn with ECharts (shipped with NiceGUI: works offline).

Every chart carries ECharts' "save as image" button, so each plot can be downloaded.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

PALETTE = ["#1f6f5c", "#d08c2f", "#4a6fa5", "#a5484a", "#6b8e23", "#7a5195"]
GOOD, FAIR, POOR = "#1f6f5c", "#d08c2f", "#a5484a"

Options = dict[str, Any]


def chart_title(text: str) -> Options:
    return {"text": text, "textStyle": {"fontSize": 14, "fontWeight": "normal"}}


def echart(options: Options, *, height: int, marker: str) -> ui.echart:
    """An ECharts chart with a download button, full width, ``height`` pixels high."""
    toolbox = {"right": 8, "feature": {"saveAsImage": {"title": "Download PNG"}}}
    chart = ui.echart({"toolbox": toolbox, "animation": False, **options})
    return chart.style(f"height: {height}px").classes("w-full").mark(marker)


def bar_chart(
    values: dict[str, float], *, title: str, marker: str, as_percent: bool = False
) -> ui.echart:
    """Horizontal bars, one per key (the bar's label), each labelled with its value."""
    names = list(values)
    label = "{c}%" if as_percent else "{c}"
    data = [round(v * 100, 1) if as_percent else round(v, 4) for v in values.values()]
    options = {
        "title": chart_title(title),
        "grid": {"left": 8, "right": 56, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100 if as_percent else None},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": v, "itemStyle": {"color": PALETTE[i % len(PALETTE)]}}
                    for i, v in enumerate(data)
                ],
                "label": {"show": True, "position": "right", "formatter": label},
            }
        ],
        "tooltip": {"trigger": "axis"},
    }
    return echart(options, height=60 + 36 * len(names), marker=marker)


def score_bars(scores: dict[str, float], *, title: str, marker: str) -> ui.echart:
    """Scores out of 100 as horizontal bars, coloured good / fair / poor."""
    names = list(scores)
    options = {
        "title": chart_title(title),
        "grid": {"left": 8, "right": 56, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "min": 0, "max": 100},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": round(v, 1), "itemStyle": {"color": score_color(v)}}
                    for v in scores.values()
                ],
                "label": {"show": True, "position": "right", "formatter": "{c}"},
            }
        ],
        "tooltip": {"trigger": "axis"},
    }
    return echart(options, height=60 + 40 * len(names), marker=marker)


def gauge_chart(score: float, *, label: str, marker: str) -> ui.echart:
    """A 0-100 gauge, red below 60, amber below 80, green above."""
    bands = [[0.6, POOR], [0.8, FAIR], [1, GOOD]]
    options = {
        "series": [
            {
                "type": "gauge",
                "min": 0,
                "max": 100,
                "radius": "95%",
                "center": ["50%", "60%"],
                "axisLine": {"lineStyle": {"width": 18, "color": bands}},
                "pointer": {"width": 6, "itemStyle": {"color": "#444"}},
                "axisTick": {"distance": -18, "length": 6},
                "splitLine": {"distance": -18, "length": 18},
                "axisLabel": {"distance": 24, "fontSize": 11},
                "title": {"offsetCenter": [0, "78%"], "fontSize": 14},
                "detail": {
                    "offsetCenter": [0, "45%"],
                    "fontSize": 40,
                    "fontWeight": "bold",
                    "formatter": "{value}",
                    "color": score_color(score),
                },
                "data": [{"value": round(score, 1), "name": label}],
            }
        ]
    }
    return echart(options, height=280, marker=marker)


def score_color(score: float) -> str:
    return GOOD if score >= 80 else FAIR if score >= 60 else POOR
