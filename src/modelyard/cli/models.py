"""`modelyard models ...`: the model registry."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.approvals import REQUEST_FIELDS
from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, print_json, show_item, show_page

app = typer.Typer(help="The model registry: registered model versions.", no_args_is_help=True)

MODEL_COLUMNS: list[Column] = [
    ("id", lambda m: m.id),
    ("name", lambda m: m.name),
    ("version", lambda m: m.version),
    ("task", lambda m: m.task),
    ("stage", lambda m: m.stage),
    ("run", lambda m: m.run_id),
    ("metrics", lambda m: ", ".join(f"{k}={v:.4g}" for k, v in m.metrics.items())),
    ("created", lambda m: m.created_at),
]
MODEL_FIELDS: list[Column] = [
    *MODEL_COLUMNS,
    ("features", lambda m: ", ".join(c.name for c in m.feature_columns)),
    ("classes", lambda m: m.classes and ", ".join(map(str, m.classes))),
    ("mlflow uri", lambda m: m.mlflow_uri),
    ("card", lambda m: "; ".join(f"{k}: {v}" for k, v in m.card.items()) or None),
]
ModelVersionId = Annotated[
    int, typer.Argument(metavar="MODEL_VERSION_ID", help="Model version id.")
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
    model_version_id: ModelVersionId,
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


@app.command("card")
def card(
    ctx: typer.Context,
    model_version_id: ModelVersionId,
    fields: Annotated[
        list[str],
        typer.Option(
            "--set",
            metavar="FIELD=TEXT",
            help="intended_use, limitations, ethical_considerations, training_data or "
            "evaluation; repeat.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Fill model card fields of a model version; print the whole card."""
    changes = dict(_field(text) for text in fields)
    filled = get_client(ctx).models.update_card(model_version_id, **changes)
    if as_json:
        return print_json(filled)
    width = max((len(name) for name in filled), default=0)
    for name, text in filled.items():
        typer.echo(f"{name + ':':<{width + 1}} {text}")


@app.command("promote")
def promote(
    ctx: typer.Context,
    model_version_id: ModelVersionId,
    stage: Annotated[str, typer.Option("--stage", help="staging or production.")],
    note: Annotated[str, typer.Option(help="Why this version should go.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Ask for a model version to be promoted; an approver (not you) decides."""
    request = get_client(ctx).approvals.request(model_version_id, stage, note)
    show_item(request, REQUEST_FIELDS, as_json=as_json)
    if not as_json:
        typer.echo(f"An approver decides with: modelyard approvals approve {request.id}")


def _field(text: str) -> tuple[str, str]:
    name, is_pair, value = text.partition("=")
    if not is_pair or not name.strip():
        raise typer.BadParameter(f"{text!r} is not FIELD=TEXT.", param_hint="--set")
    return name.strip(), value
