"""`modelyard jobs ...`: heavy work on the cluster, its progress and logs."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, print_json, show_item, show_page
from modelyard.domain import JobStatus

app = typer.Typer(
    help="Jobs: training and other heavy work, with progress and logs.", no_args_is_help=True
)

JOB_COLUMNS: list[Column] = [
    ("id", lambda j: j.id),
    ("kind", lambda j: j.kind),
    ("status", lambda j: j.status),
    ("progress", lambda j: f"{j.progress:.0%}"),
    ("message", lambda j: j.message),
    ("created by", lambda j: j.created_by),
    ("created", lambda j: j.created_at),
]
JOB_FIELDS: list[Column] = [
    *JOB_COLUMNS,
    ("params", lambda j: j.params),
    ("result", lambda j: j.result),
    ("error", lambda j: j.error_message and f"{j.error_message} ({j.error_code})"),
    ("started", lambda j: j.started_at),
    ("finished", lambda j: j.finished_at),
]
JobId = Annotated[int, typer.Argument(metavar="JOB_ID", help="Job id.")]


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    status: Annotated[JobStatus | None, typer.Option(help="Only jobs in this state.")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List jobs, newest first."""
    page = get_client(ctx).jobs.list(status=status, offset=offset, limit=limit)
    show_page(page, JOB_COLUMNS, as_json=as_json, noun="jobs")


@app.command("show")
def show(ctx: typer.Context, job_id: JobId, as_json: JsonFlag = False) -> None:
    """Show a job: status, progress, result or error."""
    show_item(get_client(ctx).jobs.get(job_id), JOB_FIELDS, as_json=as_json)


@app.command("logs")
def logs(ctx: typer.Context, job_id: JobId, as_json: JsonFlag = False) -> None:
    """Print a job's log lines."""
    lines = get_client(ctx).jobs.logs(job_id)
    if as_json:
        return print_json(lines)
    for line in lines:
        typer.echo(f"{line.at:%Y-%m-%d %H:%M:%S} {line.level:<7} {line.message}")


@app.command("cancel")
def cancel(ctx: typer.Context, job_id: JobId, as_json: JsonFlag = False) -> None:
    """Cancel a queued or running job."""
    show_item(get_client(ctx).jobs.cancel(job_id), JOB_COLUMNS, as_json=as_json)
