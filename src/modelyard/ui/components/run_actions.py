"""A run's action buttons: the report (HTML, PDF), the zip export, the configuration as
YAML, and "Re-run" (the same configuration, a new job)."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Run
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded


def run_actions(actor: Actor, run: Run) -> None:
    async def report_html() -> None:
        html = await call(services().run_reports.html, actor, run.id)
        ui.download.content(html.encode(), f"run-{run.id}-report.html", "text/html")

    async def report_pdf() -> None:
        pdf = await call(services().run_reports.pdf, actor, run.id)
        ui.download.content(pdf, f"run-{run.id}-report.pdf", "application/pdf")

    async def export_zip() -> None:
        data = await call(services().run_reports.export_zip, actor, run.id)
        ui.download.content(data, f"run-{run.id}.zip", "application/zip")

    async def export_config() -> None:
        text = await call(services().run_configs.config_yaml, actor, run.id)
        ui.download.content(text.encode(), f"run-{run.id}-config.yaml", "application/yaml")

    async def rerun() -> None:
        job = await call(services().run_configs.rerun, actor, run.id)
        ui.notify(f"Re-running as job {job.id}", type="positive")
        ui.navigate.to(f"/jobs/{job.id}")

    with ui.row().classes("gap-2").mark("run-actions"):
        for label, icon, handler, marker in (
            ("Report (HTML)", "description", report_html, "report-html"),
            ("Report (PDF)", "picture_as_pdf", report_pdf, "report-pdf"),
            ("Export zip", "archive", export_zip, "export-zip"),
            ("Export configuration", "settings", export_config, "export-config"),
            ("Re-run", "replay", rerun, "rerun"),
        ):
            ui.button(label, icon=icon, on_click=guarded(handler)).props("outline").mark(marker)
        ui.link("Compare runs", f"/runs/compare?ids={run.id}").classes("self-center").mark(
            "compare-link"
        )
