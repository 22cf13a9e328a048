"""Monitoring: not built yet, and the page says so."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.ui.layout import page


@page("/monitoring", "Monitoring")
async def monitoring_page(actor: Actor) -> None:
    with ui.card().classes("w-full gap-2").mark("monitoring-not-yet"):
        with ui.row().classes("items-center gap-2"):
            ui.icon("construction", color="orange-8").classes("text-2xl")
            ui.label("Drift and performance monitoring arrive in a later release.").classes(
                "text-lg"
            )
        ui.label(
            "Every prediction is already logged with its inputs, output and model version, "
            "so monitoring will have history to start from. Operational metrics are available "
            "now in Prometheus format at /metrics."
        ).classes("text-grey-8")
