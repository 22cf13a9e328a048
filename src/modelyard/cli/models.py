"""`modelyard models ...`: the model registry."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, show_item, show_page

app = typer.Typer(help="The model registry: registered model versions.", no_args_is_help=True)

MODEL_COLUMNS: list[Column] = [
    ("id", lambda m: m.id),
    ("name", lambda m: m.name),
    ("version", lambda m: m.version),
    ("task", lambda m: m.task),
    ("run", lambda m: m.run_id),
    ("metrics", lambda m: ", ".join(f"{k}={v:.4g}" for k, v in m.metrics.items())),
    ("created", lambda m: m.created_at),
]
MODEL_FIELDS: list[Column] = [
    *MODEL_COLUMNS,
    ("features", lambda m: ", ".join(c.name for c in m.feature_columns)),
    ("classes", lambda m: m.classes and ", ".join(map(str, m.classes))),
    ("mlflow uri", lambda m: m.mlflow_uri),
]


@app.command("list")
def list_models(
    ctx: typer.Context, offset: Offset = 0, limit: Limit = 50, as_json: JsonFlag = False
) -> None:
    """List registered model versions."""
    page = get_client(ctx).models.list(offset=offset, limit=limit)
    show_page(page, MODEL_COLUMNS, as_json=as_json, noun="models")


@app.command("show")
def show(
    ctx: typer.Context,
    model_version_id: Annotated[
        int, typer.Argument(metavar="MODEL_VERSION_ID", help="Model version id.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Show a registered model version with its input schema."""
    show_item(get_client(ctx).models.get(model_version_id), MODEL_FIELDS, as_json=as_json)


@app.command("register")
def register(
    ctx: typer.Context,
    run_id: Annotated[
        int, typer.Argument(metavar="RUN_ID", help="Training run id (from `modelyard train`).")
    ],
    name: Annotated[
        str | None, typer.Option(help="Registered model name (default: <dataset>-<target>).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a training run's model in the registry."""
    show_item(get_client(ctx).models.register(run_id, name), MODEL_FIELDS, as_json=as_json)
