"""Uploading a table: the file becomes a dataset version through the datasets service.

Quasar's uploader shows the transfer's progress. Small files are then ingested while the
user waits; files over ``BACKGROUND_BYTES`` are ingested as a job, followed live.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from nicegui import events, ui

from modelyard.domain import Actor, DatasetVersion, Job
from modelyard.services.ingestion import SUPPORTED
from modelyard.ui.components.job_monitor import JobMonitor
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import size
from modelyard.ui.links import dataset_url

BACKGROUND_BYTES = 50 * 1024 * 1024


class DatasetUpload:
    """Name and sheet fields, a file picker, and the ingest's progress."""

    def __init__(
        self, actor: Actor, *, max_bytes: int, on_done: Callable[[DatasetVersion], None]
    ) -> None:
        self._actor = actor
        self._on_done = on_done
        with ui.card().classes("w-full gap-2").mark("upload-card"):
            ui.label("Upload a table").classes("text-lg font-semibold")
            ui.label(
                f"{SUPPORTED}, up to {size(max_bytes)}. A file uploaded under an "
                "existing name becomes that dataset's next version."
            ).classes("text-grey-7")
            with ui.row().classes("w-full items-end gap-3"):
                self._name = ui.input("Dataset name", placeholder="defaults to the file name")
                self._name.classes("w-72").mark("dataset-name")
                self._sheet = ui.input("Sheet (Excel)", placeholder="the first sheet")
                self._sheet.classes("w-48").mark("dataset-sheet")
                ui.space()
                ui.link("Import from a database", "/connections").classes("text-primary")
            self._error = ui.label().classes("text-negative").mark("upload-error")
            self._error.set_visibility(False)
            with ui.row().classes("items-center gap-2") as self._busy:
                ui.spinner(size="sm")
                self._busy_text = ui.label()
            self._busy.set_visibility(False)
            self._picker = (
                ui.upload(
                    label="Choose a file",
                    auto_upload=True,
                    max_file_size=max_bytes,
                    on_upload=guarded(self._ingest, show_in=self._error),
                    on_rejected=lambda: ui.notify(
                        f"That file is larger than the limit of {size(max_bytes)}.", type="negative"
                    ),
                )
                .props("flat bordered")
                .classes("w-full")
                .mark("dataset-upload")
            )
        self._job_box = ui.column().classes("w-full")

    async def _ingest(self, event: events.UploadEventArguments) -> None:
        filename = event.file.name
        name = (self._name.value or "").strip() or Path(filename).stem
        sheet = (self._sheet.value or "").strip() or None
        in_background = event.file.size() > BACKGROUND_BYTES
        self._busy_text.set_text(
            f"Handing {filename} to a background job..."
            if in_background
            else f"Reading {filename} and storing it as Parquet..."
        )
        self._busy.set_visibility(True)
        try:
            with tempfile.TemporaryDirectory(prefix="modelyard-upload-") as tmp:
                # keep the suffix: openpyxl refuses a workbook whose path lacks ".xlsx"
                path = Path(tmp) / f"upload{Path(filename).suffix.lower()}"
                await event.file.save(path)
                outcome = await self._store(
                    name, path, filename=filename, sheet=sheet, in_background=in_background
                )
        finally:
            self._busy.set_visibility(False)
            self._picker.reset()
        if isinstance(outcome, Job):
            self._follow(outcome)
            return
        ui.notify(f"{name} version {outcome.version}: {outcome.n_rows:,} rows", type="positive")
        self._on_done(outcome)

    async def _store(
        self, name: str, path: Path, *, filename: str, sheet: str | None, in_background: bool
    ) -> DatasetVersion | Job:
        datasets = services().datasets
        if in_background:
            return await call(
                datasets.upload_in_background,
                self._actor,
                name,
                path,
                filename=filename,
                sheet=sheet,
            )
        return await call(datasets.upload, self._actor, name, path, filename=filename, sheet=sheet)

    def _follow(self, job: Job) -> None:
        self._job_box.clear()
        with self._job_box:
            ui.label(f"Ingesting {job.params.get('filename')}").classes("text-lg font-semibold")
            JobMonitor(self._actor, job, on_success=_link_to_version)


async def _link_to_version(job: Job) -> None:
    result = job.result or {}
    url = dataset_url(int(result["dataset_id"]), version=int(result["version"]))
    with ui.row().classes("items-center gap-3"):
        ui.icon("check_circle", color="positive").classes("text-2xl")
        ui.label(f"Stored as version {result['version']}.")
        ui.link(f"Open version {result['version']}", url).mark("open-uploaded")
