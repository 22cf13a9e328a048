"""Following a job from the command line: a progress bar on stderr, then its result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from modelyard.cli.output import Column, fail, show_item
from modelyard.domain import Job, JobStatus

if TYPE_CHECKING:
    from modelyard.sdk import Client


def wait_with_progress(client: Client, job: Job) -> Job:
    """Poll the job with a progress bar on stderr; Ctrl-C stops watching, not the job."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn(f"job {job.id}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    try:
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task(job.message, total=1.0)

            def update(current: Job) -> None:
                progress.update(task, completed=current.progress, description=current.message)

            return client.jobs.wait(job.id, on_progress=update)
    except KeyboardInterrupt:
        typer.echo(
            f"Stopped watching; job {job.id} keeps running: modelyard jobs show {job.id}", err=True
        )
        raise typer.Exit(130) from None


def job_result(ctx: typer.Context, job: Job) -> dict[str, Any]:
    """The result of a finished job; a failed or cancelled job fails the command."""
    if job.status is JobStatus.SUCCEEDED and job.result is not None:
        return job.result
    reason = job.error_message or job.message
    error = {"code": job.error_code or f"job.{job.status}", "details": {"job_id": job.id}}
    fail(ctx, {**error, "message": f"Job {job.id} {job.status}: {reason}"})


STARTED_FIELDS: list[Column] = [
    ("job id", lambda j: j.id),
    ("kind", lambda j: j.kind),
    ("status", lambda j: j.status),
]


def show_started(job: Job, *, as_json: bool) -> None:
    """Print a job a command started without waiting, and how to follow it."""
    show_item(job, STARTED_FIELDS, as_json=as_json)
    if not as_json:
        typer.echo(f"Follow it with: modelyard jobs show {job.id}")
