"""Each arm's metric over time, with its always-valid confidence band shaded (ECharts)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain.ab_tests import ABTestResults
from modelyard.ui.components.charts import PALETTE, Options, chart_title, echart

ARM_COLORS = {"control": PALETTE[0], "treatment": PALETTE[1]}


def arm_series(results: ABTestResults) -> list[Options]:
    """Per arm: an invisible lower line, the band stacked on it, and the metric line."""
    series: list[Options] = []
    for arm in results.arms:
        points = results.series.get(arm.arm, [])
        color = ARM_COLORS.get(arm.arm, PALETTE[2])
        name = f"{arm.arm} ({arm.label})"
        lower: list[Any] = []
        width: list[Any] = []
        for p in points:
            at = p.at.isoformat()
            if p.lower is not None and p.upper is not None:
                lower.append([at, round(p.lower, 6)])
                width.append([at, round(p.upper - p.lower, 6)])
            else:  # too few observations yet: no band
                lower.append([at, None])
                width.append([at, None])
        band = {"type": "line", "stack": f"band-{arm.arm}", "symbol": "none", "silent": True}
        band |= {"lineStyle": {"opacity": 0}, "legendHoverLink": False}
        series.append({**band, "name": f"{name} lower", "data": lower})
        series.append(
            {
                **band,
                "name": name + " band",
                "data": width,
                "areaStyle": {"color": color, "opacity": 0.18},
            }
        )
        series.append(
            {
                "type": "line",
                "name": name,
                "symbolSize": 5,
                "itemStyle": {"color": color},
                "lineStyle": {"color": color, "width": 2},
                "data": [
                    [p.at.isoformat(), None if p.value is None else round(p.value, 6)]
                    for p in points
                ],
            }
        )
    return series


def time_span(results: ABTestResults) -> Options:
    """A time axis from the test's start to the end of its last bucket (with a single
    bucket ECharts would otherwise spread one point over an arbitrary span)."""
    ends = [p.at for points in results.series.values() for p in points]
    axis: Options = {"type": "time", "min": results.test.started_at.isoformat()}
    if ends:
        axis["max"] = max(ends).isoformat()
    return axis


def arm_chart(results: ABTestResults, *, marker: str) -> ui.echart:
    lines = [s["name"] for s in arm_series(results) if "stack" not in s]
    direction = "higher is better" if results.higher_is_better else "lower is better"
    options: Options = {
        "title": chart_title(
            f"{results.metric.value} per arm over time ({direction}); shaded: confidence band"
        ),
        "tooltip": {"trigger": "axis"},
        "legend": {"data": lines, "top": 24},
        "grid": {"left": 8, "right": 24, "top": 64, "bottom": 8, "containLabel": True},
        "xAxis": time_span(results),
        "yAxis": {"type": "value", "scale": True, "name": results.metric.value},
        "series": arm_series(results),
    }
    return echart(options, height=360, marker=marker)
