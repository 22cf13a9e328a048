"""The Profile and Quality tabs of a dataset version, both drawn from its newest profile.

Without a profile the Profile tab offers to start one (a job, followed live); when the job
succeeds both tabs are drawn again. A profile job already under way for the version, started
here or elsewhere, is followed too.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from modelyard.domain import Actor, DatasetVersion, Job, JobKind
from modelyard.domain.entities import ProfileSummary
from modelyard.errors import NotFoundError
from modelyard.ui.components.job_monitor import JobMonitor
from modelyard.ui.components.profile_view import profile_view
from modelyard.ui.components.quality_view import OnVersion, quality_view, sample_form
from modelyard.ui.context import call, jobs, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when

RECENT_JOBS = 20


class ProfileTabs:
    def __init__(
        self,
        actor: Actor,
        version: DatasetVersion,
        *,
        dataset_name: str,
        panels: tuple[ui.element, ui.element],
        on_version: OnVersion,
        show_profile_tab: Callable[[], object],
    ) -> None:
        self._actor = actor
        self._version = version
        self._dataset_name = dataset_name
        self._on_version = on_version
        self._show_profile_tab = show_profile_tab
        profile_panel, quality_panel = panels
        with profile_panel:
            self._job_box = ui.column().classes("w-full")
            self._profile_box = ui.column().classes("w-full gap-4")
        with quality_panel:
            self._quality_box = ui.column().classes("w-full gap-4")
            sample_form(actor, version, on_version)

    async def load(self) -> None:
        self._draw(await self._latest())
        running = await self._running_job()
        if running is not None:
            self._follow(running)

    async def _latest(self) -> ProfileSummary | None:
        try:
            return await call(services().profiles.latest, self._actor, self._version.id)
        except NotFoundError as exc:
            if exc.code != "profile.not_found":
                raise
            return None

    async def _running_job(self) -> Job | None:
        recent = await call(jobs().list, self._actor, kind=JobKind.PROFILE, limit=RECENT_JOBS)
        for job in recent.items:
            if job.params.get("dataset_version_id") == self._version.id:
                return None if job.status.is_finished else job
        return None

    def _draw(self, summary: ProfileSummary | None) -> None:
        self._profile_box.clear()
        self._quality_box.clear()
        with self._profile_box:
            if summary is None or summary.profile is None:
                self._start_card()
            else:
                self._toolbar(summary)
                profile_view(summary.profile)
        with self._quality_box:
            if summary is None or summary.profile is None:
                self._no_quality_yet()
            else:
                quality_view(self._actor, self._version, summary.profile, self._on_version)

    def _start_card(self) -> None:
        with ui.card().classes("w-full gap-2").mark("no-profile"):
            ui.label("No profile yet").classes("text-lg font-semibold")
            ui.label(
                "Profiling computes statistics, distributions, missing values, outliers, "
                "correlations, a quality score and cleaning suggestions. Pick a target column "
                "to also see how each column relates to it."
            ).classes("text-grey-7")
            self._start_controls("Profile this version", marker="start-profile")

    def _toolbar(self, summary: ProfileSummary) -> None:
        target = f", target '{summary.target}'" if summary.target else ""
        with ui.row().classes("w-full items-end gap-3").mark("profile-toolbar"):
            ui.label(
                f"Profiled by {summary.created_by} on {when(summary.created_at)}{target}."
            ).classes("text-grey-7 self-center")
            ui.space()
            ui.button(
                "Download HTML report", icon="download", on_click=guarded(self._download)
            ).props("outline").mark("download-report")
            self._start_controls("Re-profile", marker="reprofile", default=summary.target)

    def _start_controls(self, label: str, *, marker: str, default: str | None = None) -> None:
        names = [c.name for c in self._version.columns]
        target = ui.select(names, label="Target (optional)", value=default, clearable=True)
        target.props("dense" if marker == "reprofile" else "").classes("w-56")
        target.mark(f"{marker}-target")

        async def start() -> None:
            job = await call(
                services().profiles.start, self._actor, self._version.id, target=target.value
            )
            self._follow(job)

        ui.button(label, icon="query_stats", on_click=guarded(start)).mark(marker)

    def _no_quality_yet(self) -> None:
        with ui.card().classes("w-full gap-2").mark("no-quality"):
            ui.label("No quality score yet").classes("text-lg font-semibold")
            ui.label(
                "The quality score, its breakdown and the cleaning suggestions come with the "
                "profile of this version."
            ).classes("text-grey-7")
            ui.button("Go to the Profile tab", on_click=self._show_profile_tab).props("outline")

    def _follow(self, job: Job) -> None:
        self._job_box.clear()
        with self._job_box:
            ui.label("Profiling this version").classes("text-lg font-semibold")
            JobMonitor(self._actor, job, on_success=self._finished)

    async def _finished(self, _job: Job) -> None:
        self._draw(await self._latest())
        ui.notify("The profile is ready.", type="positive")
        self._job_box.clear()

    async def _download(self) -> None:
        html = await call(services().profiles.report_html, self._actor, self._version.id)
        filename = f"{self._dataset_name}-v{self._version.version}-profile.html"
        ui.download.content(html.encode(), filename, "text/html")
