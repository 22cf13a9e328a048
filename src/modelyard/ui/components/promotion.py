"""Governance widgets: stage badges and one promotion request with its checks and decisions."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain.entities import PromotionRequest
from modelyard.ui.formatting import when

STAGE_COLORS = {
    "none": "grey-6",
    "staging": "blue-7",
    "production": "positive",
    "archived": "grey-5",
    "development": "grey-7",
}
REQUEST_COLORS = {
    "pending": "orange-8",
    "approved": "positive",
    "rejected": "negative",
    "withdrawn": "grey-6",
}


def stage_badge(stage: str, *, marker: str = "stage") -> ui.badge:
    return (
        ui.badge(stage, color=STAGE_COLORS.get(stage, "grey-7")).classes("px-2 py-1").mark(marker)
    )


def request_summary(request: PromotionRequest) -> None:
    """Who asked for what, the checks (pass or fail, with detail) and the decisions so far."""
    with ui.row().classes("items-center gap-2"):
        ui.label(
            f"#{request.id} {request.model_name} version {request.model_version} → "
            f"{request.target_stage}"
        ).classes("font-semibold")
        ui.badge(request.status, color=REQUEST_COLORS.get(request.status, "grey-7")).mark(
            f"request-status-{request.id}"
        )
    approvals = sum(1 for d in request.decisions if d.is_approved)
    ui.label(
        f"Requested by {request.requested_by} on {when(request.created_at)} · "
        f"{approvals} of {request.required_approvals} approval(s)"
    ).classes("text-sm text-grey-7")
    if request.note:
        ui.label(f"“{request.note}”").classes("italic")
    with ui.column().classes("gap-1").mark(f"checks-{request.id}"):
        if not request.checks:
            ui.label("No checks required by the policy.").classes("text-sm text-grey-7")
        for check in request.checks:
            passed = bool(check.get("is_passed"))
            with ui.row().classes("items-center gap-2").mark("check"):
                ui.icon(
                    "check_circle" if passed else "cancel",
                    color="positive" if passed else "negative",
                )
                ui.label(f"{check.get('name')}: {check.get('detail')}").classes(
                    "text-positive" if passed else "text-negative"
                )
    for decision in request.decisions:
        verdict = "approved" if decision.is_approved else "rejected"
        comment = f": {decision.comment}" if decision.comment else ""
        ui.label(f"{decision.approver} {verdict} on {when(decision.created_at)}{comment}").classes(
            "text-sm"
        ).mark("decision")
