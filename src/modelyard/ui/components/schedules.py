"""The version page's Schedules section and its model file downloads (zip, ONNX)."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, ModelVersion
from modelyard.domain.schedules import Schedule
from modelyard.services.schedules import ScoringTarget
from modelyard.ui.components.cards import section
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.links import job_url

FORMATS = ("csv", "parquet")


class ScheduleSection:
    """Create a cron schedule for this version, see the next runs, enable, run or delete."""

    def __init__(self, actor: Actor, model: ModelVersion, options: dict[int, str]) -> None:
        self._actor = actor
        self._model = model
        with section("Schedules", "schedule", marker="schedules"):
            ui.label(
                "Score a dataset version on a cron schedule, e.g. '0 6 * * *' for 06:00 daily."
            ).classes("text-grey-7")
            with ui.row().classes("items-end gap-3 w-full"):
                self._name = ui.input("Name").props("dense").classes("w-48").mark("schedule-name")
                self._cron = (
                    ui.input("Cron", value="0 6 * * *").props("dense").mark("schedule-cron")
                )
                self._timezone = (
                    ui.input("Time zone", value="UTC").props("dense").mark("schedule-timezone")
                )
                self._version = (
                    ui.select(options, label="Dataset version", with_input=True)
                    .classes("min-w-72")
                    .mark("schedule-dataset")
                )
                self._format = ui.select(list(FORMATS), value="csv", label="Format").mark(
                    "schedule-format"
                )
                ui.button("Preview", icon="event", on_click=guarded(self._preview)).props(
                    "outline"
                ).mark("schedule-preview")
                ui.button("Create", icon="add", on_click=guarded(self._create)).mark(
                    "create-schedule"
                )
            self._next = ui.label("").classes("text-sm text-grey-8").mark("schedule-next-runs")
            self._list = ui.column().classes("w-full gap-1")
        ui.timer(0, self._refresh, once=True)

    async def _preview(self) -> None:
        runs = await call(
            services().schedules.preview,
            self._actor,
            str(self._cron.value),
            timezone=str(self._timezone.value or "UTC"),
            count=3,
        )
        self._next.set_text("Next runs: " + ", ".join(when(r) + " UTC" for r in runs))

    async def _create(self) -> None:
        if self._version.value is None:
            ui.notify("Pick a dataset version to score.", type="warning")
            return
        target = ScoringTarget(
            model_version_id=self._model.id,
            dataset_version_id=int(self._version.value),
            format=str(self._format.value),
        )
        await call(
            services().schedules.create,
            self._actor,
            str(self._name.value or ""),
            str(self._cron.value or ""),
            target,
            timezone=str(self._timezone.value or "UTC"),
        )
        ui.notify("Schedule created.", type="positive")
        await self._refresh()

    async def _refresh(self) -> None:
        found = await call(
            services().schedules.list, self._actor, model_version_id=self._model.id, limit=100
        )
        self._list.clear()
        with self._list:
            if not found.items:
                ui.label("No schedules yet.").classes("text-grey-7").mark("schedules-empty")
            for schedule in found.items:
                self._row(schedule)

    def _row(self, schedule: Schedule) -> None:
        async def toggle() -> None:
            await call(
                services().schedules.set_enabled, self._actor, schedule.id, not schedule.is_enabled
            )
            await self._refresh()

        async def run_now() -> None:
            job = await call(services().schedules.run_now, self._actor, schedule.id)
            ui.notify(f"Started job {job.id}.", type="positive")
            await self._refresh()

        async def delete() -> None:
            await call(services().schedules.delete, self._actor, schedule.id)
            await self._refresh()

        with ui.row().classes("items-center gap-3 w-full").mark(f"schedule-{schedule.id}"):
            ui.label(schedule.name).classes("font-medium")
            ui.badge(schedule.cron).props("outline")
            ui.label(schedule.timezone).classes("text-grey-7")
            next_run = when(schedule.next_run_at) + " UTC" if schedule.next_run_at else "disabled"
            ui.label(f"next: {next_run}").mark(f"schedule-next-{schedule.id}")
            if schedule.last_job_id is not None:
                ui.link(f"last job {schedule.last_job_id}", job_url(schedule.last_job_id)).mark(
                    f"schedule-last-job-{schedule.id}"
                )
            if schedule.last_error:
                ui.label(schedule.last_error).classes("text-negative text-sm")
            ui.space()
            ui.button(
                "Disable" if schedule.is_enabled else "Enable", on_click=guarded(toggle)
            ).props("flat dense").mark(f"schedule-toggle-{schedule.id}")
            ui.button("Run now", on_click=guarded(run_now)).props("flat dense").mark(
                f"schedule-run-{schedule.id}"
            )
            ui.button(icon="delete", on_click=guarded(delete)).props("flat dense round").mark(
                f"schedule-delete-{schedule.id}"
            )


def model_files(actor: Actor, model: ModelVersion) -> None:
    """Buttons that download the MLflow model zip and the ONNX export."""

    async def download_zip() -> None:
        file = await call(services().model_exports.download, actor, model.id)
        ui.download(file.content, file.filename, file.media_type)

    async def download_onnx() -> None:
        file = await call(services().model_exports.onnx, actor, model.id)
        ui.download(file.content, file.filename, file.media_type)

    with section("Model files", "download", marker="model-files"):
        ui.label(
            "The zip holds the MLflow model, its requirements and this model card: unzip it and "
            "run `mlflow models serve -m <folder>`. ONNX is offered when every step converts."
        ).classes("text-grey-7")
        with ui.row().classes("gap-3"):
            ui.button("Download zip", icon="folder_zip", on_click=guarded(download_zip)).mark(
                "download-model-zip"
            )
            ui.button("Export ONNX", icon="memory", on_click=guarded(download_onnx)).props(
                "outline"
            ).mark("download-model-onnx")
            ui.link("Compare with other versions", f"/models?compare={model.id}").mark(
                "compare-link"
            )
