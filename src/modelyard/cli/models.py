"""`modelyard models ...`: the model registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelyard.cli.approvals import REQUEST_FIELDS
from modelyard.cli.context import get_client
from modelyard.cli.output import (
    Column,
    JsonFlag,
    Limit,
    Offset,
    print_json,
    show_item,
    show_page,
    show_rows,
)

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


@app.command("download")
def download(
    ctx: typer.Context,
    model_version_id: ModelVersionId,
    out: Annotated[
        Path, typer.Option("--out", "-o", dir_okay=False, help="Where to write the .zip.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Download a version as a zip: the MLflow model, its requirements and the model card."""
    path = get_client(ctx).models.download(model_version_id, out)
    if as_json:
        return print_json({"out": str(path), "size_bytes": path.stat().st_size})
    typer.echo(f"Wrote {path}; unzip it, then: mlflow models serve -m <folder> --env-manager local")


@app.command("onnx")
def onnx(
    ctx: typer.Context,
    model_version_id: ModelVersionId,
    out: Annotated[
        Path, typer.Option("--out", "-o", dir_okay=False, help="Where to write the .onnx.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Export a version to ONNX (checked with onnxruntime against the original)."""
    path = get_client(ctx).models.onnx(model_version_id, out)
    if as_json:
        return print_json({"out": str(path), "size_bytes": path.stat().st_size})
    typer.echo(f"Wrote {path}.")


@app.command("compare")
def compare(
    ctx: typer.Context,
    model_version_ids: Annotated[
        list[int], typer.Argument(metavar="MODEL_VERSION_ID...", help="Two or more ids.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Compare model versions side by side: metrics, data, stage, differing parameters."""
    comparison = get_client(ctx).models.compare(*model_version_ids)
    if as_json:
        return print_json(comparison)
    versions = comparison.versions
    rows: list[dict[str, object]] = [
        {"": "version", **{str(v.model.id): f"{v.model.name}:{v.model.version}" for v in versions}},
        {"": "stage", **{str(v.model.id): v.model.stage for v in versions}},
        {"": "algorithm", **{str(v.model.id): v.algorithm for v in versions}},
        {"": "dataset version", **{str(v.model.id): v.dataset_version_id for v in versions}},
        {"": "size (bytes)", **{str(v.model.id): v.size_bytes for v in versions}},
    ]
    rows += [
        {"": name, **{str(v.model.id): v.model.metrics.get(name) for v in versions}}
        for name in comparison.metrics
    ]
    rows += [
        {"": f"param {name}", **{str(v.model.id): v.params.get(name) for v in versions}}
        for name in comparison.differing_params
    ]
    show_rows(rows, as_json=False)


def _field(text: str) -> tuple[str, str]:
    name, is_pair, value = text.partition("=")
    if not is_pair or not name.strip():
        raise typer.BadParameter(f"{text!r} is not FIELD=TEXT.", param_hint="--set")
    return name.strip(), value
