"""Uploading a table: the file becomes a dataset version through the datasets service."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from nicegui import events, ui

from modelyard.domain import Actor, DatasetVersion
from modelyard.services.ingestion import SUPPORTED
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import size


class DatasetUpload:
    """A name field and a file picker (Quasar shows the transfer's progress)."""

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
            self._name = ui.input("Dataset name", placeholder="defaults to the file name").mark(
                "dataset-name"
            )
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

    async def _ingest(self, event: events.UploadEventArguments) -> None:
        filename = event.file.name
        name = (self._name.value or "").strip() or Path(filename).stem
        self._busy_text.set_text(f"Reading {filename} and storing it as Parquet...")
        self._busy.set_visibility(True)
        try:
            with tempfile.TemporaryDirectory(prefix="modelyard-upload-") as tmp:
                path = Path(tmp) / "upload"
                await event.file.save(path)
                version = await call(
                    services().datasets.upload, self._actor, name, path, filename=filename
                )
        finally:
            self._busy.set_visibility(False)
            self._picker.reset()
        ui.notify(f"{name} version {version.version}: {version.n_rows:,} rows", type="positive")
        self._on_done(version)
