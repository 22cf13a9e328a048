"""A job's live state: status, progress bar, message and log lines, polled from the job row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from modelyard.domain import Actor, Job, JobStatus
from modelyard.ui.components.badges import COLORS
from modelyard.ui.context import call, jobs
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import percent

POLL_INTERVAL_S = 1.0

OnSuccess = Callable[[Job], Awaitable[None]]


class JobMonitor:
    """Polls the job with ``ui.timer`` until it finishes, then shows how it ended."""

    def __init__(self, actor: Actor, job: Job, *, on_success: OnSuccess) -> None:
        self._actor = actor
        self._job_id = job.id
        self._on_success = on_success
        self._log_lines = 0
        with ui.card().classes("w-full gap-3").mark("job-monitor"):
            with ui.row().classes("items-center w-full gap-3"):
                self._status = ui.badge().classes("px-2 py-1").mark("job-status")
                self._message = ui.label().mark("job-message")
                ui.space()
                self._cancel = (
                    ui.button("Cancel", icon="stop", on_click=guarded(self._cancel_job))
                    .props("outline color=negative")
                    .mark("cancel-job")
                )
            self._bar = ui.linear_progress(value=0, show_value=False, size="12px").mark(
                "job-progress"
            )
            self._percent = ui.label().classes("text-grey-7 text-sm")
            with ui.expansion("Log", icon="notes", value=True).classes("w-full"):
                self._log = ui.log(max_lines=1000).classes("h-48 text-xs").mark("job-log")
        self._outcome = ui.column().classes("w-full")
        self._show(job)
        self._timer = ui.timer(POLL_INTERVAL_S, guarded(self._poll))

    async def _poll(self) -> None:
        job = await call(jobs().get, self._actor, self._job_id)
        lines = await call(jobs().logs, self._actor, self._job_id, after=self._log_lines)
        for line in lines:
            self._log.push(f"{line.at:%H:%M:%S}  {line.level:<7} {line.message}")
        self._log_lines += len(lines)
        self._show(job)
        if job.status.is_finished:
            self._timer.cancel()
            with self._outcome:
                await self._show_outcome(job)

    def _show(self, job: Job) -> None:
        self._status.set_text(job.status.value)
        self._status.props(f"color={COLORS[job.status.value]}")
        self._message.set_text(job.message)
        self._bar.set_value(job.progress)
        self._percent.set_text(f"{percent(job.progress)} done")
        self._cancel.set_visibility(not job.status.is_finished and not job.is_cancel_requested)

    async def _show_outcome(self, job: Job) -> None:
        if job.status is JobStatus.SUCCEEDED:
            await self._on_success(job)
        elif job.status is JobStatus.FAILED:
            with ui.card().classes("w-full bg-red-50").mark("job-error"):
                ui.label("The job failed").classes("text-lg font-semibold text-negative")
                ui.label(job.error_message or job.message).mark("job-error-message")
                ui.label(f"Error code: {job.error_code}").classes("text-sm text-grey-7")
        else:
            ui.label("This job was cancelled.").classes("text-orange-9").mark("job-cancelled")

    async def _cancel_job(self) -> None:
        job = await call(jobs().cancel, self._actor, self._job_id)
        self._show(job)
        ui.notify("Cancelling the job.", type="info")
