"""`modelyard deploy` and `modelyard endpoints ...`: serve model versions by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, show_item, show_page

app = typer.Typer(help="Endpoints: named deployments of model versions.", no_args_is_help=True)

ENDPOINT_COLUMNS: list[Column] = [
    ("name", lambda d: d.name),
    ("stage", lambda d: d.stage),
    ("model", lambda d: f"{d.model_name} v{d.model_version}"),
    ("model version id", lambda d: d.model_version_id),
    ("created by", lambda d: d.created_by),
    ("updated", lambda d: d.updated_at),
]


def deploy(
    ctx: typer.Context,
    model_version_id: Annotated[
        int,
        typer.Argument(
            metavar="MODEL_VERSION_ID", help="Model version id (from `modelyard models list`)."
        ),
    ],
    name: Annotated[
        str, typer.Option("--name", help="Endpoint name: lowercase letters, digits and '-'.")
    ],
    stage: Annotated[
        str,
        typer.Option(
            help="development (any version), staging or production (promoted versions only)."
        ),
    ] = "development",
    as_json: JsonFlag = False,
) -> None:
    """Deploy a model version behind a named endpoint."""
    deployment = get_client(ctx).endpoints.create(name, model_version_id, stage)
    show_item(deployment, ENDPOINT_COLUMNS, as_json=as_json)
    if not as_json:
        typer.echo(f"Predict with: modelyard predict {deployment.name} INPUT_FILE")


@app.command("list")
def list_endpoints(
    ctx: typer.Context, offset: Offset = 0, limit: Limit = 50, as_json: JsonFlag = False
) -> None:
    """List endpoints."""
    page = get_client(ctx).endpoints.list(offset=offset, limit=limit)
    show_page(page, ENDPOINT_COLUMNS, as_json=as_json, noun="endpoints")


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Endpoint name.")],
    as_json: JsonFlag = False,
) -> None:
    """Show an endpoint."""
    show_item(get_client(ctx).endpoints.get(name), ENDPOINT_COLUMNS, as_json=as_json)


@app.command("predict")
def predict(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Endpoint name.")],
    input_file: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT_FILE", exists=True, dir_okay=False, help="Records as CSV or JSON."
        ),
    ],
    explain: Annotated[
        bool, typer.Option("--explain", help="Also show each record's top feature contributions.")
    ] = False,
    top_k: Annotated[
        int, typer.Option("--top-k", min=1, help="Contributions per record (with --explain).")
    ] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Predict for the records of a file through an endpoint, optionally explained."""
    from modelyard.cli.predict import _is_csv, predictions_csv, read_records

    client = get_client(ctx)
    columns = client.endpoints.model(name).feature_columns if _is_csv(input_file) else []
    records = read_records(input_file, columns)
    result = client.endpoints.predict(
        name, records, explain=explain, top_k=top_k if explain else None
    )
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    typer.echo(predictions_csv(result.predictions, result.probabilities), nl=False)
    for index, contributions in enumerate(result.contributions or []):
        parts = ", ".join(f"{feature} {value:+.4f}" for feature, value in contributions.items())
        typer.echo(f"record {index}: {parts}")
