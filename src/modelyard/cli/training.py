"""`modelyard train` and `modelyard recommend`: how to search, then train and watch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from modelyard.cli import prep_options as flags
from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, print_json, print_table, show_item
from modelyard.cli.progress import job_result, show_started, wait_with_progress

UNSUPERVISED = ("clustering", "anomaly")

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
        int | None,
        typer.Argument(
            metavar="DATASET_VERSION_ID",
            help="Dataset version id (from `modelyard datasets list`).",
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", help="The column to predict (optional for --task clustering|anomaly)."
        ),
    ] = None,
    project: Annotated[int | None, typer.Option(help="Project id to file the run under.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    time_budget: Annotated[
        float | None,
        typer.Option("--time-budget", min=1, help="Seconds the AutoML search may take."),
    ] = None,
    metric: Annotated[str | None, typer.Option(help="Metric to optimise, e.g. roc_auc.")] = None,
    max_trials: Annotated[
        int | None, typer.Option(min=1, help="Stop the search after this many trials.")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")
    ] = True,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="A YAML configuration (`modelyard runs config RUN_ID`)."),
    ] = None,
    as_json: JsonFlag = False,
    imputation: flags.Imputation = None,
    scaling: flags.Scaling = None,
    encoding: flags.Encoding = None,
    interactions: flags.Interactions = None,
    resampling: flags.Resampling = None,
    threshold_metric: flags.ThresholdMetric = None,
    cost_matrix: flags.CostMatrix = None,
    feature_selection: flags.FeatureSelection = None,
    max_features: flags.MaxFeatures = None,
    task: flags.Task = None,
    n_clusters: flags.NClusters = None,
    contamination: flags.Contamination = None,
) -> None:
    """Train a model on a dataset version; with --wait, show progress and the metrics."""
    client = get_client(ctx)
    given: dict[str, Any] = {"metric": metric, "max_trials": max_trials, "task": task}
    given |= {"n_clusters": n_clusters, "contamination": contamination}
    extra = {key: value for key, value in given.items() if value is not None}
    extra |= flags.prep_options(
        imputation=imputation,
        scaling=scaling,
        encoding=encoding,
        interactions=interactions,
        resampling=resampling,
        threshold_metric=threshold_metric,
        cost_matrix=cost_matrix,
        feature_selection=feature_selection,
        max_features=max_features,
    )
    if config is not None:
        job = client.runs.start_from_config(config.read_text())
    elif dataset_version_id is None or (target is None and task not in UNSUPERVISED):
        raise typer.BadParameter("give DATASET_VERSION_ID and --target, or --config FILE.yaml")
    else:
        job = client.training.start(
            dataset_version_id,
            target or "",
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


def recommend(
    ctx: typer.Context,
    dataset_version_id: Annotated[
        int,
        typer.Argument(
            metavar="DATASET_VERSION_ID",
            help="Dataset version id (from `modelyard datasets list`).",
        ),
    ],
    target: Annotated[
        str, typer.Option("--target", help="The column to predict (none: clustering).")
    ] = "",
    as_json: JsonFlag = False,
) -> None:
    """Suggest task, metric, model families, validation and budget, each with its reason."""
    advice = get_client(ctx).training.recommend(dataset_version_id, target)
    if as_json:
        return print_json(advice)
    for label, key in SUGGESTIONS:
        for suggestion in _suggestions(advice.get(key)):
            typer.echo(f"{label}: {suggestion.get('value')} - {suggestion.get('reason')}")
    for column, reason in (advice.get("dropped_columns") or {}).items():
        typer.echo(f"drop column: {column} - {reason}")


SUGGESTIONS = [
    ("task", "task"),
    ("metric", "metric"),
    ("validation", "validation"),
    ("time budget (s)", "time_budget_s"),
    ("family", "families"),
    ("excluded family", "excluded_families"),
    ("hyperparameters", "hyperparameters"),
    ("preprocessing", "preprocessing"),
    ("memory", "memory"),
]


def _suggestions(value: Any) -> list[dict[str, Any]]:
    """One suggestion (``{"value", "reason"}``) or a list of them, as a list."""
    if isinstance(value, dict):
        return [value]
    return [item for item in value or [] if isinstance(item, dict)]
