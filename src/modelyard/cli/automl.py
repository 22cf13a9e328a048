"""`modelyard automl fit`: the headless AutoML contract, no server needed.

    modelyard automl fit TRAIN_FILE --target COL --time-budget SECONDS --out DIR
    modelyard predict DIR INPUT_FILE --out PREDICTIONS_CSV

Scripts and benchmarks depend on these two commands: their arguments stay stable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelyard.cli import prep_options as flags
from modelyard.cli.output import JsonFlag, print_json

app = typer.Typer(
    help="Train without a server: a file in, a model folder out.", no_args_is_help=True
)


@app.command()
def fit(
    train_file: Annotated[
        Path, typer.Argument(metavar="TRAIN_FILE", help="CSV or Parquet with the target column.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="New folder for the model.")],
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help="The column to predict (for clustering/anomaly: an optional label column).",
        ),
    ] = None,
    time_budget: Annotated[
        float, typer.Option("--time-budget", min=1, help="Seconds the search may take.")
    ] = 60.0,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same leaderboard).")
    ] = 0,
    task: flags.Task = None,
    n_clusters: flags.NClusters = None,
    contamination: flags.Contamination = None,
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
    families: flags.Families = None,
) -> None:
    """Search for the best model within the time budget and save it in OUT."""
    from modelyard.services.model_folders import fit_to_folder

    def report(fraction: float, message: str) -> None:
        if not as_json:
            typer.echo(f"[{min(fraction, 1.0):4.0%}] {message}", err=True)

    summary = fit_to_folder(
        train_file,
        target,
        time_budget_s=time_budget,
        out=out,
        seed=seed,
        progress=report,
        options=flags.prep_options(
            imputation=imputation,
            scaling=scaling,
            encoding=encoding,
            interactions=interactions,
            resampling=resampling,
            threshold_metric=threshold_metric,
            cost_matrix=cost_matrix,
            feature_selection=feature_selection,
            max_features=max_features,
            families=families,
        ),
        task=task,
        n_clusters=n_clusters,
        contamination=contamination,
    )
    if as_json:
        return print_json(
            {
                "out": str(summary.directory),
                "task": summary.task,
                "metric": summary.metric,
                "algorithm": summary.algorithm,
                "n_trials": summary.n_trials,
                "test_metrics": summary.test_metrics,
            }
        )
    metrics = ", ".join(f"{k} {v:.4g}" for k, v in summary.test_metrics.items())
    typer.echo(f"{summary.algorithm} ({summary.task}, {summary.n_trials} trials) saved in {out}")
    unsupervised = summary.task in ("clustering", "anomaly")  # no test split without a target
    typer.echo(f"{'scores on the training rows' if unsupervised else 'test'}: {metrics}")
