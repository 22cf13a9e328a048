"""A run's feature ranking (from feature selection) as a ranked bar chart."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.ui.components.charts import bar_chart

SHOWN = 20


def feature_ranking(ranking: list[dict[str, Any]] | None) -> None:
    """The best-scored features, best first; nothing when the run did not select features."""
    if not ranking:
        return
    kept = sum(bool(r.get("selected")) for r in ranking)
    method = ranking[0].get("method", "")
    with ui.column().classes("w-full gap-1").mark("feature-ranking"):
        ui.label(f"Feature selection ({method}): {kept} of {len(ranking)} features kept").classes(
            "font-semibold"
        )
        top = ranking[:SHOWN]
        bar_chart(
            {
                f"{r['feature']}{'' if r.get('selected') else ' (dropped)'}": float(r["score"])
                for r in top
            },
            title=f"Top {len(top)} features by score",
            marker="feature-ranking-chart",
        )
