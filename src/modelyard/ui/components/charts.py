"""Charts drawn with ECharts (shipped with NiceGUI: works offline)."""

from __future__ import annotations

from nicegui import ui

PALETTE = ["#1f6f5c", "#d08c2f", "#4a6fa5", "#a5484a", "#6b8e23", "#7a5195"]


def bar_chart(
    values: dict[str, float], *, title: str, marker: str, as_percent: bool = False
) -> ui.echart:
    """Horizontal bars, one per key (the bar's label), each labelled with its value."""
    names = list(values)
    label = "{c}%" if as_percent else "{c}"
    data = [round(v * 100, 1) if as_percent else round(v, 4) for v in values.values()]
    options = {
        "title": {"text": title, "textStyle": {"fontSize": 14, "fontWeight": "normal"}},
        "grid": {"left": 8, "right": 48, "top": 36, "bottom": 8, "containLabel": True},
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
    height = 60 + 36 * len(names)
    return ui.echart(options).style(f"height: {height}px").classes("w-full").mark(marker)
