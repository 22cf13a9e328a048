"""Batch scoring: pick a dataset version, score it in the background, download the scores."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Job, ModelVersion
from modelyard.ui.components.cards import section
from modelyard.ui.components.job_monitor import JobMonitor
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded

DATASETS = 200
VERSIONS = 50
FORMATS = (("csv", "CSV", "text/csv"), ("parquet", "Parquet", "application/vnd.apache.parquet"))


async def dataset_version_options(actor: Actor) -> dict[int, str]:
    """Every dataset version of the workspace, newest first, as select options."""
    options: dict[int, str] = {}
    datasets = await call(services().datasets.list, actor, limit=DATASETS)
    for dataset in datasets.items:
        versions = await call(services().datasets.list_versions, actor, dataset.id, limit=VERSIONS)
        for version in versions.items:
            options[version.id] = f"{dataset.name} version {version.version} (id {version.id})"
    return options


class BatchScoring:
    """A card that starts a scoring job, follows it with the job monitor, then offers downloads."""

    def __init__(self, actor: Actor, model: ModelVersion, options: dict[int, str]) -> None:
        self._actor = actor
        self._model = model
        with section("Batch scoring", "batch_prediction", marker="batch-scoring"):
            ui.label(
                "Score every row of a dataset version that has the model's input columns."
            ).classes("text-grey-7")
            with ui.row().classes("items-end gap-3 w-full"):
                self._version = (
                    ui.select(options, label="Dataset version", with_input=True)
                    .classes("min-w-80")
                    .mark("scoring-dataset")
                )
                ui.button("Score", icon="play_arrow", on_click=guarded(self._start)).mark(
                    "start-scoring"
                )
            self._monitor = ui.column().classes("w-full")

    async def _start(self) -> None:
        if self._version.value is None:
            ui.notify("Pick a dataset version to score.", type="warning")
            return
        job = await call(
            services().scoring.start, self._actor, self._model.id, int(self._version.value)
        )
        self._monitor.clear()
        with self._monitor:
            JobMonitor(self._actor, job, on_success=self._downloads)

    async def _downloads(self, job: Job) -> None:
        rows = (job.result or {}).get("rows", 0)
        with ui.row().classes("items-center gap-3").mark("score-downloads"):
            ui.label(f"Scored {rows:,} rows.")
            for fmt, label, media_type in FORMATS:
                ui.button(
                    f"Download {label}",
                    icon="download",
                    on_click=guarded(
                        lambda fmt=fmt, media_type=media_type: self._download(
                            job.id, fmt, media_type
                        )
                    ),
                ).props("outline").mark(f"download-{fmt}")

    async def _download(self, job_id: int, fmt: str, media_type: str) -> None:
        content = await call(_joined, self._actor, job_id, fmt)
        ui.download(content, f"scores-job-{job_id}.{fmt}", media_type)


def _joined(actor: Actor, job_id: int, fmt: str) -> bytes:
    return b"".join(services().scoring.export(actor, job_id, fmt))
