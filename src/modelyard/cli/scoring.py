"""`modelyard score`: score a whole dataset version with a model version on the server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import JsonFlag, print_json
from modelyard.cli.progress import job_result, show_started, wait_with_progress
from modelyard.errors import InvalidInputError
from modelyard.sdk.scoring import ScoreFormat

FORMATS: dict[str, ScoreFormat] = {".csv": "csv", ".parquet": "parquet"}


def score(
    ctx: typer.Context,
    model_version_id: Annotated[
        int, typer.Argument(metavar="MODEL_VERSION_ID", help="Model version id.")
    ],
    dataset_version_id: Annotated[
        int, typer.Argument(metavar="DATASET_VERSION_ID", help="Dataset version id to score.")
    ],
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            dir_okay=False,
            help="Download the scores here when done: FILE.csv or FILE.parquet (implies --wait).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score a dataset version as a job: prediction and probability_<class> per row."""
    fmt = _format(out) if out is not None else None
    client = get_client(ctx)
    job = client.scoring.start(model_version_id, dataset_version_id)
    if not wait and out is None:
        return show_started(job, as_json=as_json)
    finished = wait_with_progress(client, job)
    result = job_result(ctx, finished)
    if out is not None and fmt is not None:
        client.scoring.download(job.id, out, format=fmt)
    if as_json:
        return print_json({"job": finished.model_dump(mode="json"), "out": out and str(out)})
    rows = f"Scored {result.get('rows', 0):,} rows with {result.get('model')} (job {job.id})"
    typer.echo(f"{rows}; wrote {out}." if out else f"{rows}; add --out FILE.csv to download.")


def _format(path: Path) -> ScoreFormat:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInputError(
            f"--out must end in .csv or .parquet, not {path.name!r}.", code="cli.score_format"
        )
    return fmt
