"""`modelyard deploy` and `modelyard endpoints ...`: serve model versions by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import (
    Column,
    JsonFlag,
    Limit,
    Offset,
    print_json,
    print_table,
    show_item,
    show_page,
)
from modelyard.domain.traffic import DEFAULT_CANARY_STEPS, ArmRole, DeploymentRevision

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


def _arms_text(revision: DeploymentRevision) -> str:
    return ", ".join(
        f"{a.model_name} v{a.model_version} (id {a.model_version_id}) "
        + ("shadow" if a.role == ArmRole.SHADOW else f"{a.weight}%")
        for a in revision.arms
    )


def _approvals_text(revision: DeploymentRevision) -> str:
    return "; ".join(
        f"v{a.model_version}: request {a.approval.request_id} by {a.approval.requested_by}, "
        f"approved by {', '.join(a.approval.approvers) or '-'}"
        for a in revision.arms
        if a.approval is not None
    )


REVISION_COLUMNS: list[Column] = [
    ("revision", lambda r: r.revision),
    ("action", lambda r: r.action),
    ("arms", _arms_text),
    ("canary", lambda r: f"step {r.canary.step + 1} of {r.canary.steps}" if r.canary else ""),
    ("note", lambda r: r.note),
    ("by", lambda r: r.created_by),
    ("at", lambda r: r.created_at),
    ("approvals", _approvals_text),
]

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="Endpoint name.")]
NoteOption = Annotated[str, typer.Option("--note", help="Why: kept in the endpoint's history.")]


def _parse_arm(text: str) -> tuple[int, int]:
    version, sep, weight = text.partition("=")
    if not sep or not version.strip().isdigit() or not weight.strip().lstrip("-").isdigit():
        raise typer.BadParameter(f"{text!r}: write an arm as VERSION_ID=WEIGHT, e.g. 12=80.")
    return int(version), int(weight)


@app.command("traffic")
def traffic(
    ctx: typer.Context,
    name: NameArg,
    arm: Annotated[
        list[str],
        typer.Option("--arm", help="VERSION_ID=WEIGHT; repeat it; live weights sum to 100.", min=1),
    ],
    shadow: Annotated[
        int | None,
        typer.Option("--shadow", help="A version that sees copies of requests, never answers."),
    ] = None,
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """Serve model versions by weight (A/B split), with an optional shadow version."""
    weights = dict(_parse_arm(text) for text in arm)
    revision = get_client(ctx).endpoints.set_traffic(name, weights, shadow=shadow, note=note)
    show_item(revision, REVISION_COLUMNS, as_json=as_json)


@app.command("canary")
def canary(
    ctx: typer.Context,
    name: NameArg,
    model_version_id: Annotated[
        int, typer.Argument(metavar="MODEL_VERSION_ID", help="The new version to bring in.")
    ],
    steps: Annotated[
        str, typer.Option("--steps", help="Rising weights of the new version, comma separated.")
    ] = ",".join(map(str, DEFAULT_CANARY_STEPS)),
    note: NoteOption = "",
    as_json: JsonFlag = False,
) -> None:
    """Start a canary: the new version gets the first step's weight."""
    try:
        plan = [int(step) for step in steps.split(",") if step.strip()]
    except ValueError:
        raise typer.BadParameter("--steps are whole numbers, e.g. 5,25,50,100.") from None
    revision = get_client(ctx).endpoints.start_canary(name, model_version_id, steps=plan, note=note)
    show_item(revision, REVISION_COLUMNS, as_json=as_json)


@app.command("canary-advance")
def canary_advance(
    ctx: typer.Context, name: NameArg, note: NoteOption = "", as_json: JsonFlag = False
) -> None:
    """Raise the canary to its next step (at 100 % it serves alone)."""
    revision = get_client(ctx).endpoints.advance_canary(name, note=note)
    show_item(revision, REVISION_COLUMNS, as_json=as_json)


@app.command("canary-abort")
def canary_abort(
    ctx: typer.Context, name: NameArg, note: NoteOption = "", as_json: JsonFlag = False
) -> None:
    """Stop the canary; the versions before it serve again."""
    revision = get_client(ctx).endpoints.abort_canary(name, note=note)
    show_item(revision, REVISION_COLUMNS, as_json=as_json)


@app.command("rollback")
def rollback(
    ctx: typer.Context, name: NameArg, note: NoteOption = "", as_json: JsonFlag = False
) -> None:
    """Serve the previous configuration again (recorded as a new revision)."""
    revision = get_client(ctx).endpoints.rollback(name, note=note)
    show_item(revision, REVISION_COLUMNS, as_json=as_json)


@app.command("history")
def history(
    ctx: typer.Context,
    name: NameArg,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Only the revision live at this time (ISO 8601; UTC if no zone)."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every revision of an endpoint: versions, weights, who, when, why, approvals."""
    endpoints = get_client(ctx).endpoints
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise typer.BadParameter(f"{at!r} is not an ISO 8601 time.") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return show_item(endpoints.served_at(name, moment), REVISION_COLUMNS, as_json=as_json)
    revisions = endpoints.history(name)
    if as_json:
        return print_json(revisions)
    print_table(revisions, REVISION_COLUMNS)


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
