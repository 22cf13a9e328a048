"""Approvals: the inbox of pending promotion requests, decided here, and the history."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.approvals import RequestStatus
from modelyard.domain.entities import PromotionRequest
from modelyard.ui.components.promotion import request_summary
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.layout import page

LIMIT = 200


@page("/approvals", "Approvals")
async def approvals_page(actor: Actor) -> None:
    pending = await call(
        services().approvals.list, actor, status=RequestStatus.PENDING, limit=LIMIT
    )
    everything = await call(services().approvals.list, actor, limit=LIMIT)
    history = [r for r in everything.items if r.status != RequestStatus.PENDING]
    with ui.tabs().classes("w-full") as tabs:
        inbox_tab = ui.tab(f"Inbox ({pending.total})").mark("tab-inbox")
        history_tab = ui.tab("History").mark("tab-history")
    with ui.tab_panels(tabs, value=inbox_tab).classes("w-full"):
        with ui.tab_panel(inbox_tab).classes("gap-3"):
            if not pending.items:
                ui.label("Nothing waits for a decision.").classes("text-grey-7").mark("inbox-empty")
            for request in pending.items:
                _pending_card(actor, request)
        with ui.tab_panel(history_tab).classes("gap-3"):
            if not history:
                ui.label("No decided requests yet.").classes("text-grey-7").mark("history-empty")
            for request in history:
                with ui.card().classes("w-full gap-2").mark(f"history-{request.id}"):
                    request_summary(request)


def _pending_card(actor: Actor, request: PromotionRequest) -> None:
    async def decide(approve: bool) -> None:
        decided = await call(
            services().approvals.decide,
            actor,
            request.id,
            approve=approve,
            comment=comment.value.strip(),
        )
        ui.notify(f"Request #{decided.id} is {decided.status}.", type="positive")
        ui.navigate.to("/approvals")

    with ui.card().classes("w-full gap-2").mark(f"request-{request.id}"):
        request_summary(request)
        ui.link("Open the model version", f"/models/{request.model_version_id}")
        comment = ui.input("Comment").classes("w-full").mark(f"comment-{request.id}")
        error = ui.label().classes("text-negative").mark(f"decision-error-{request.id}")
        error.set_visibility(False)
        with ui.row().classes("gap-2"):
            ui.button(
                "Approve", icon="check", on_click=guarded(lambda: decide(True), show_in=error)
            ).props("color=positive").mark(f"approve-{request.id}")
            ui.button(
                "Reject", icon="close", on_click=guarded(lambda: decide(False), show_in=error)
            ).props("outline color=negative").mark(f"reject-{request.id}")
