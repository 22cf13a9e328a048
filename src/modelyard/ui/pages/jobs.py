"""Jobs (training, profiling, big ingests): the list, and one job followed live to its result."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Job, JobKind
from modelyard.ui.components.job_monitor import JobMonitor
from modelyard.ui.components.live_search import LiveSearch
from modelyard.ui.components.run_result import run_result
from modelyard.ui.components.tables import Rows, column, link_table, with_status_colors
from modelyard.ui.context import call, jobs, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import percent, when
from modelyard.ui.layout import page
from modelyard.ui.links import dataset_url

LIST_REFRESH_S = 3.0

COLUMNS = [
    column("title", "Job"),
    column("status", "Status"),
    column("progress", "Progress", align="right"),
    column("message", "Message"),
    column("created_by", "Started by"),
    column("created_at", "Started"),
]


@page("/training", "Training")
async def jobs_page(actor: Actor) -> None:
    ui.label("Training jobs run in the background; open one to follow it.").classes("text-grey-7")
    table = link_table(await _rows(actor), COLUMNS, href="'/jobs/' + props.row.id", marker="jobs")

    async def refresh() -> None:
        table.rows = with_status_colors(await _rows(actor))

    ui.timer(LIST_REFRESH_S, guarded(refresh), immediate=False)


@page("/jobs/{job_id}", "Training job")
async def job_page(actor: Actor, job_id: int) -> None:
    job = await call(jobs().get, actor, job_id)
    ui.label(_title(job)).classes("text-xl font-semibold").mark("job-title")
    ui.label(f"Started by {job.created_by} on {when(job.created_at)}").classes("text-grey-7")

    async def show_result(finished: Job) -> None:
        await _result(actor, finished)

    if job.kind is JobKind.TRAIN and not job.status.is_finished:
        LiveSearch(actor, job)
    JobMonitor(actor, job, on_success=show_result)


async def _result(actor: Actor, job: Job) -> None:
    """What a finished job made: a run, a profile, or a dataset version."""
    result = job.result or {}
    if job.kind is JobKind.TRAIN:
        await run_result(actor, int(result["run_id"]))
    elif job.kind is JobKind.PROFILE:
        version = await call(
            services().datasets.get_version, actor, int(job.params["dataset_version_id"])
        )
        url = dataset_url(version.dataset_id, version=version.version, tab="profile")
        ui.link(f"Open the profile of dataset version {version.version}", url).mark("job-link")
    elif job.kind is JobKind.INGEST:
        url = dataset_url(int(result["dataset_id"]), version=int(result["version"]))
        ui.link(f"Open dataset version {result['version']}", url).mark("job-link")


async def _rows(actor: Actor) -> Rows:
    page_of_jobs = await call(jobs().list, actor, limit=100)
    return [
        {
            "id": j.id,
            "title": _title(j),
            "status": j.status.value,
            "progress": percent(j.progress),
            "message": j.message,
            "created_by": j.created_by,
            "created_at": when(j.created_at),
        }
        for j in page_of_jobs.items
    ]


_UNSUPERVISED_GOALS = {"clustering": "group the rows of", "anomaly": "find anomalies in"}


def _title(job: Job) -> str:
    params = job.params
    target, version = params.get("target"), params.get("dataset_version_id")
    if job.kind is JobKind.PROFILE:
        about = f" with target '{target}'" if target else ""
        return f"#{job.id} profile of dataset version {version}{about}"
    if job.kind is JobKind.INGEST:
        return f"#{job.id} ingest: {params.get('filename')} into dataset '{params.get('name')}'"
    if job.kind is JobKind.TRAIN:
        task = (params.get("options") or {}).get("task")
        if task in _UNSUPERVISED_GOALS:
            return f"#{job.id} {job.kind}: {_UNSUPERVISED_GOALS[task]} dataset version {version}"
        return f"#{job.id} {job.kind}: predict '{target}' from dataset version {version}"
    return f"#{job.id} {job.kind}"
