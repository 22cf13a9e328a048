"""`modelyard ab-tests ...`: compare two model versions on an endpoint, promote the winner."""

from __future__ import annotations

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
from modelyard.domain.ab_tests import ABMetric, ABTestStatus
from modelyard.domain.approvals import Stage

app = typer.Typer(
    help="A/B tests: two model versions on one endpoint, an always-valid sequential test, "
    "and the winner's promotion through approval.",
    no_args_is_help=True,
)

TEST_COLUMNS: list[Column] = [
    ("id", lambda t: t.id),
    ("name", lambda t: t.name),
    ("endpoint", lambda t: t.endpoint),
    ("control (A)", lambda t: t.control_label),
    ("treatment (B)", lambda t: t.treatment_label),
    ("metric", lambda t: t.metric),
    ("status", lambda t: t.status),
    ("started", lambda t: t.started_at),
]
TEST_FIELDS: list[Column] = [
    *TEST_COLUMNS,
    ("control version id", lambda t: t.control_version_id),
    ("treatment version id", lambda t: t.treatment_version_id),
    ("treatment share", lambda t: t.treatment_share),
    ("alpha", lambda t: t.alpha),
    ("min samples", lambda t: t.min_samples),
    ("stopped", lambda t: t.stopped_at),
    ("winner version id", lambda t: t.winner_version_id),
    ("conclusion", lambda t: t.conclusion or None),
    ("promotion request", lambda t: t.promotion_request_id),
    ("created by", lambda t: t.created_by),
]
ARM_COLUMNS: list[Column] = [
    ("arm", lambda a: a.arm),
    ("model", lambda a: a.label),
    ("predictions", lambda a: a.n_predictions),
    ("with feedback", lambda a: a.n_feedback),
    ("value", lambda a: a.value),
    ("lower", lambda a: a.lower),
    ("upper", lambda a: a.upper),
]
TestId = Annotated[int, typer.Argument(metavar="TEST_ID", help="A/B test id.")]


@app.command("create")
def create(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="The endpoint the versions are compared on.")],
    control: Annotated[int, typer.Option(help="Model version id of the control (A).")],
    treatment: Annotated[int, typer.Option(help="Model version id of the treatment (B).")],
    metric: Annotated[
        ABMetric | None,
        typer.Option(help="accuracy/conversion (classification), mae/rmse/conversion."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name for the test.")] = None,
    alpha: Annotated[float, typer.Option(help="False-positive rate, valid at any look.")] = 0.05,
    min_samples: Annotated[
        int, typer.Option(help="Predictions with feedback per arm before naming a winner.")
    ] = 100,
    treatment_share: Annotated[
        float, typer.Option(help="Share of the endpoint's live traffic for B.")
    ] = 0.5,
    route: Annotated[
        bool,
        typer.Option("--route/--no-route", help="Split the endpoint's traffic now (default)."),
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Start an A/B test of two model versions on an endpoint."""
    test = get_client(ctx).ab_tests.create(
        endpoint,
        control,
        treatment,
        metric=metric,
        name=name,
        alpha=alpha,
        min_samples=min_samples,
        treatment_share=treatment_share,
        route=route,
    )
    show_item(test, TEST_FIELDS, as_json=as_json)


@app.command("list")
def list_tests(
    ctx: typer.Context,
    endpoint: Annotated[str | None, typer.Option(help="Only tests on this endpoint.")] = None,
    status: Annotated[ABTestStatus | None, typer.Option(help="Only tests in this state.")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List A/B tests, newest first."""
    page = get_client(ctx).ab_tests.list(
        endpoint=endpoint, status=status, offset=offset, limit=limit
    )
    show_page(page, TEST_COLUMNS, as_json=as_json, noun="A/B tests")


@app.command("show")
def show(ctx: typer.Context, test_id: TestId, as_json: JsonFlag = False) -> None:
    """Show an A/B test."""
    show_item(get_client(ctx).ab_tests.get(test_id), TEST_FIELDS, as_json=as_json)


@app.command("results")
def results(ctx: typer.Context, test_id: TestId, as_json: JsonFlag = False) -> None:
    """Per-arm metrics, the always-valid p-value and the recommendation (safe to rerun often)."""
    result = get_client(ctx).ab_tests.results(test_id)
    if as_json:
        return print_json(result)
    print_table(result.arms, ARM_COLUMNS)

    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.4g}"

    typer.echo(
        f"difference (B - A): {number(result.difference)} "
        f"[{number(result.difference_lower)}, {number(result.difference_upper)}], "
        f"lift {number(result.lift)}, always-valid p = {result.p_value:.3g}"
    )
    typer.echo(result.recommendation)


@app.command("stop")
def stop(ctx: typer.Context, test_id: TestId, as_json: JsonFlag = False) -> None:
    """Stop an A/B test and record its conclusion."""
    show_item(get_client(ctx).ab_tests.stop(test_id), TEST_FIELDS, as_json=as_json)


@app.command("promote-winner")
def promote_winner(
    ctx: typer.Context,
    test_id: TestId,
    note: Annotated[str, typer.Option(help="Why the winner should go (kept on the request).")] = "",
    stage: Annotated[
        Stage | None, typer.Option(help="staging or production; default: the endpoint's stage.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask for the winner's promotion: a pending request that an approver decides."""
    test = get_client(ctx).ab_tests.promote_winner(test_id, note=note, stage=stage)
    show_item(test, TEST_FIELDS, as_json=as_json)
