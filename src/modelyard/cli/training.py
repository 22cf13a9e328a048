"""`modelyard train`: start training on a dataset version and (by default) watch it."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, print_json, print_table, show_item
from modelyard.cli.progress import job_result, show_started, wait_with_progress

RUN_FIELDS: list[Column] = [
    ("run id", lambda r: r.id),
    ("job id", lambda r: r.job_id),
    ("task", lambda r: r.task),
    ("algorithm", lambda r: r.algorithm),
    ("target", lambda r: r.target),
    ("mlflow run", lambda r: r.mlflow_run_id),
]
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
    time_budget: Annotated[
        float | None,
        typer.Option("--time-budget", min=1, help="Seconds the AutoML search may take."),
    ] = None,
    metric: Annotated[str | None, typer.Option(help="Metric to optimise, e.g. roc_auc.")] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Train a model on a dataset version; with --wait, show progress and the metrics."""
    client = get_client(ctx)
    extra = {"metric": metric} if metric else {}
    job = client.training.start(
        dataset_version_id,
        target,
        project_id=project,
        seed=seed,
        time_budget_s=time_budget,
        **extra,
    )
    if not wait:
        return show_started(job, as_json=as_json)
    result = job_result(ctx, wait_with_progress(client, job))
    run = client.training.run(int(result["run_id"]))
    if as_json:
        return print_json(run)
    show_item(run, RUN_FIELDS, as_json=False)
    print_table(sorted(run.metrics.items()), METRIC_COLUMNS)
    typer.echo(f"Register the model with: modelyard models register {run.id}")
