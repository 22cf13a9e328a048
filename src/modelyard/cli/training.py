"""`modelyard train`: start training on a dataset version and (by default) watch it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, fail, print_json, print_table, show_item
from modelyard.domain import Job, JobStatus

if TYPE_CHECKING:
    from modelyard.sdk import Client

RUN_FIELDS: list[Column] = [
    ("run id", lambda r: r.id),
    ("job id", lambda r: r.job_id),
    ("task", lambda r: r.task),
    ("algorithm", lambda r: r.algorithm),
    ("target", lambda r: r.target),
    ("mlflow run", lambda r: r.mlflow_run_id),
]
JOB_FIELDS: list[Column] = [("job id", lambda j: j.id), ("status", lambda j: j.status)]
METRIC_COLUMNS: list[Column] = [("metric", lambda m: m[0]), ("value", lambda m: m[1])]


def train(
    ctx: typer.Context,
    dataset_version_id: Annotated[
        int,
        typer.Argument(
            metavar="DATASET_VERSION_ID",
            help="Dataset version id (from `modelyard datasets list`).",
        ),
    ],
    target: Annotated[str, typer.Option("--target", help="The column to predict.")],
    project: Annotated[int | None, typer.Option(help="Project id to file the run under.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Train a model on a dataset version; with --wait, show progress and the metrics."""
    client = get_client(ctx)
    job = client.training.start(dataset_version_id, target, project_id=project, seed=seed)
    if not wait:
        show_item(job, JOB_FIELDS, as_json=as_json)
        return None if as_json else typer.echo(f"Follow it with: modelyard jobs show {job.id}")
    run = client.training.run(_run_id(ctx, _wait_with_progress(client, job)))
    if as_json:
        return print_json(run)
    show_item(run, RUN_FIELDS, as_json=False)
    print_table(sorted(run.metrics.items()), METRIC_COLUMNS)
    typer.echo(f"Register the model with: modelyard models register {run.id}")


def _run_id(ctx: typer.Context, job: Job) -> int:
    """The run a finished training job made; a failed or cancelled job fails the command."""
    if job.status is JobStatus.SUCCEEDED and job.result is not None:
        return int(job.result["run_id"])
    reason = job.error_message or job.message
    error = {"code": job.error_code or f"job.{job.status}", "details": {"job_id": job.id}}
    fail(ctx, {**error, "message": f"Job {job.id} {job.status}: {reason}"})


def _wait_with_progress(client: Client, job: Job) -> Job:
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
