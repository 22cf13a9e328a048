"""`modelyard approvals ...`: decide promotion requests (maker-checker), and their policies.

A maker asks with `modelyard models promote`; an approver who is not the maker decides here.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, show_item, show_page
from modelyard.domain.approvals import Policy, RequestStatus

app = typer.Typer(
    help="Approvals: promotion requests to staging or production, decided by a checker.",
    no_args_is_help=True,
)

REQUEST_COLUMNS: list[Column] = [
    ("id", lambda r: r.id),
    ("model", lambda r: f"{r.model_name} v{r.model_version}"),
    ("model version id", lambda r: r.model_version_id),
    ("stage", lambda r: r.target_stage),
    ("status", lambda r: r.status),
    ("approvals", lambda r: f"{_approvals(r.decisions)}/{r.required_approvals}"),
    ("requested by", lambda r: r.requested_by),
    ("created", lambda r: r.created_at),
]
REQUEST_FIELDS: list[Column] = [
    *REQUEST_COLUMNS,
    ("note", lambda r: r.note or None),
    ("checks", lambda r: "; ".join(map(_check_text, r.checks)) or None),
    ("decisions", lambda r: "; ".join(map(_decision_text, r.decisions)) or None),
    ("decided", lambda r: r.decided_at),
]
POLICY_FIELDS: list[Column] = [
    ("stage", lambda p: p.stage),
    ("min approvals", lambda p: p.min_approvals),
    ("thresholds", lambda p: ", ".join(f"{k}={v:g}" for k, v in p.metric_thresholds.items())),
    ("card fields", lambda p: ", ".join(p.required_card_fields)),
    ("validation set", lambda p: p.validation_dataset_version_id),
]
RequestId = Annotated[int, typer.Argument(metavar="REQUEST_ID", help="Promotion request id.")]
Comment = Annotated[str, typer.Option(help="Why: kept with the decision.")]


@app.command("list")
def list_requests(
    ctx: typer.Context,
    status: Annotated[
        RequestStatus | None, typer.Option(help="Only requests in this state (pending: inbox).")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List promotion requests, newest first."""
    page = get_client(ctx).approvals.list(status, offset=offset, limit=limit)
    show_page(page, REQUEST_COLUMNS, as_json=as_json, noun="promotion requests")


@app.command("show")
def show(ctx: typer.Context, request_id: RequestId, as_json: JsonFlag = False) -> None:
    """Show a promotion request with its checks and decisions."""
    show_item(get_client(ctx).approvals.get(request_id), REQUEST_FIELDS, as_json=as_json)


@app.command("approve")
def approve(
    ctx: typer.Context, request_id: RequestId, comment: Comment = "", as_json: JsonFlag = False
) -> None:
    """Approve a pending request (an approver, never its maker)."""
    decided = get_client(ctx).approvals.approve(request_id, comment)
    show_item(decided, REQUEST_FIELDS, as_json=as_json)


@app.command("reject")
def reject(
    ctx: typer.Context, request_id: RequestId, comment: Comment = "", as_json: JsonFlag = False
) -> None:
    """Reject a pending request (an approver, never its maker)."""
    decided = get_client(ctx).approvals.reject(request_id, comment)
    show_item(decided, REQUEST_FIELDS, as_json=as_json)


@app.command("withdraw")
def withdraw(ctx: typer.Context, request_id: RequestId, as_json: JsonFlag = False) -> None:
    """Withdraw your own pending request."""
    show_item(get_client(ctx).approvals.withdraw(request_id), REQUEST_FIELDS, as_json=as_json)


@app.command("policy")
def policy(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="staging or production.")],
    min_approvals: Annotated[
        int | None, typer.Option(min=1, max=5, help="Approvals a promotion needs.")
    ] = None,
    thresholds: Annotated[
        list[str] | None,
        typer.Option(
            "--threshold",
            metavar="METRIC=VALUE",
            help="A metric's bound on the hold-out (a maximum for error metrics); repeat.",
        ),
    ] = None,
    card_fields: Annotated[
        list[str] | None,
        typer.Option("--require-card", metavar="FIELD", help="A model card field; repeat."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show what a promotion to STAGE needs; with options, change it (admins)."""
    client = get_client(ctx)
    current = client.approvals.policy(stage)
    if min_approvals is None and thresholds is None and card_fields is None:
        return show_item(current, POLICY_FIELDS, as_json=as_json)
    changed = client.approvals.set_policy(
        stage, **_merged(current, min_approvals, thresholds, card_fields)
    )
    show_item(changed, POLICY_FIELDS, as_json=as_json)


def _merged(
    current: Policy,
    min_approvals: int | None,
    thresholds: list[str] | None,
    card_fields: list[str] | None,
) -> dict[str, Any]:
    """The policy with what was given replaced; what was not given stays as it is."""
    return {
        "min_approvals": current.min_approvals if min_approvals is None else min_approvals,
        "metric_thresholds": (
            current.metric_thresholds if thresholds is None else dict(map(_threshold, thresholds))
        ),
        "required_card_fields": (
            current.required_card_fields if card_fields is None else card_fields
        ),
        "validation_dataset_version_id": current.validation_dataset_version_id,
    }


def _threshold(text: str) -> tuple[str, float]:
    metric, is_pair, value = text.rpartition("=")
    try:
        if not is_pair or not metric.strip():
            raise ValueError(text)
        return metric.strip(), float(value)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not METRIC=VALUE (e.g. roc_auc=0.8).", param_hint="--threshold"
        ) from None


def _approvals(decisions: list[Any]) -> int:
    return sum(1 for decision in decisions if decision.is_approved)


def _check_text(check: dict[str, Any]) -> str:
    verdict = "pass" if check.get("is_passed") else "FAIL"
    return f"{verdict} {check.get('name')} ({check.get('detail')})"


def _decision_text(decision: Any) -> str:
    verb = "approved" if decision.is_approved else "rejected"
    return f"{decision.approver} {verb}" + (f": {decision.comment}" if decision.comment else "")
