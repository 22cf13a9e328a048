"""Cards: one figure with its label, and a titled section to fill."""

from __future__ import annotations

from nicegui import ui

from modelyard.ui.formatting import metric, metric_name


def stat_card(label: str, value: str | int, *, icon: str, marker: str) -> None:
    with ui.card().classes("min-w-40 gap-1").mark(marker):
        with ui.row().classes("items-center gap-2 text-grey-7"):
            ui.icon(icon)
            ui.label(label)
        ui.label(str(value)).classes("text-2xl font-semibold")


def metric_cards(metrics: dict[str, float]) -> None:
    """One card per evaluation metric (held-out split)."""
    with ui.row().classes("gap-3").mark("metric-cards"):
        for name, value in metrics.items():
            with ui.card().classes("min-w-32 gap-0 items-center").mark(f"metric-{name}"):
                ui.label(metric(value)).classes("text-2xl font-semibold text-primary")
                ui.label(metric_name(name)).classes("text-grey-7")


def section(title: str, icon: str, *, marker: str) -> ui.card:
    """A card with a heading; use as a context manager and fill it."""
    with ui.card().classes("w-full gap-2").mark(marker) as card:
        with ui.row().classes("items-center gap-2"):
            ui.icon(icon, color="primary").classes("text-xl")
            ui.label(title).classes("text-lg font-semibold")
    return card
