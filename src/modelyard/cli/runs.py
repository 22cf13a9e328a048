"""`modelyard runs ...`: compare training runs, save their reports and exports, read their
configuration and train again from it (all through the SDK)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import JsonFlag, print_json, show_rows
from modelyard.cli.progress import job_result, show_started, wait_with_progress

app = typer.Typer(
    help="Training runs: compare, report, export, configuration and re-run.",
    no_args_is_help=True,
)
RunId = Annotated[int, typer.Argument(metavar="RUN_ID", help="Run id (from `modelyard jobs`).")]
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the new job to its end.")]


@app.command("compare")
def compare(
    ctx: typer.Context,
    run_ids: Annotated[list[int], typer.Argument(metavar="RUN_ID...", help="2 to 10 run ids.")],
    as_json: JsonFlag = False,
) -> None:
    """Compare runs: their metrics side by side and the settings that differ."""
    comparison = get_client(ctx).runs.compare(run_ids)
    if as_json:
        return print_json(comparison)
    show_rows(comparison.metrics, as_json=False)
    typer.echo("")
    if comparison.params:
        show_rows(comparison.params, as_json=False)
    else:
        typer.echo("The runs have the same settings.")


@app.command("report")
def report(
    ctx: typer.Context,
    run_id: RunId,
    out: Annotated[Path, typer.Option("--out", help="File to write the report to.")],
    format: Annotated[  # noqa: A002  (the option's name)
        str, typer.Option("--format", help="html or pdf.")
    ] = "html",
) -> None:
    """Save the run's report (data, leaderboard, metrics, plots, explanations)."""
    if format not in ("html", "pdf"):
        raise typer.BadParameter("--format must be html or pdf")
    kind: Literal["html", "pdf"] = "pdf" if format == "pdf" else "html"
    path = get_client(ctx).runs.report(run_id, out, format=kind)
    typer.echo(f"Wrote {path}")


@app.command("export")
def export(
    ctx: typer.Context,
    run_id: RunId,
    out: Annotated[Path, typer.Option("--out", help="Zip file to write.")],
) -> None:
    """Save a zip of the run: the model and every artifact."""
    path = get_client(ctx).runs.export(run_id, out)
    typer.echo(f"Wrote {path}")


@app.command("config")
def config(
    ctx: typer.Context,
    run_id: RunId,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the YAML here instead of printing it.")
    ] = None,
) -> None:
    """Print the run's training configuration as YAML (train again with `train --config`)."""
    text = get_client(ctx).runs.config(run_id)
    if out is None:
        return typer.echo(text.rstrip("\n"))
    out.write_text(text)
    typer.echo(f"Wrote {out}")


@app.command("rerun")
def rerun(ctx: typer.Context, run_id: RunId, wait: Wait = True, as_json: JsonFlag = False) -> None:
    """Train again with the run's exact configuration."""
    client = get_client(ctx)
    job = client.runs.rerun(run_id)
    if not wait:
        return show_started(job, as_json=as_json)
    result = job_result(ctx, wait_with_progress(client, job))
    if as_json:
        return print_json(result)
    typer.echo(
        f"New run {result['run_id']}; compare: modelyard runs compare {run_id} {result['run_id']}"
    )
