"""An endpoint's traffic: arms and weights (editable), shadow, canary steps and rollback.

Every button calls one TrafficService method; the panel then redraws from the revision the
service answered, and tells the page so the history can follow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.traffic import DEFAULT_CANARY_STEPS, Arm, ArmRole, DeploymentRevision
from modelyard.errors import InvalidInputError
from modelyard.ui.components.cards import section
from modelyard.ui.components.tables import column, plain_table
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded

ARM_COLUMNS = [
    column("version", "Model version"),
    column("role", "Role"),
    column("weight", "Weight %", align="right"),
    column("approval", "Approved by"),
]


def arm_rows(revision: DeploymentRevision) -> list[dict[str, Any]]:
    return [
        {
            "id": a.model_version_id,
            "version": f"{a.model_name} v{a.model_version} (id {a.model_version_id})",
            "role": str(a.role),
            "weight": a.weight if a.role == ArmRole.LIVE else "copy",
            "approval": ", ".join(a.approval.approvers) if a.approval else "-",
        }
        for a in revision.arms
    ]


class _ArmEditor:
    """One editable arm: a version, a weight, a shadow switch."""

    def __init__(self, options: dict[int, str], arm: Arm | None, index: int) -> None:
        arm = arm or Arm(model_version_id=0, weight=0)
        with ui.row().classes("items-center gap-3") as self.row:
            self.version = (
                ui.select(options, value=arm.model_version_id or None, label="Model version")
                .classes("w-72")
                .mark(f"arm-version-{index}")
            )
            self.weight = (
                ui.number("Weight %", value=arm.weight, min=0, max=100, step=1, format="%d")
                .classes("w-28")
                .mark(f"arm-weight-{index}")
            )
            self.shadow = ui.switch("Shadow", value=arm.role == ArmRole.SHADOW).mark(
                f"arm-shadow-{index}"
            )

    def arm(self) -> Arm:
        if self.version.value is None:
            raise InvalidInputError(
                "Pick a model version for every arm.", code="traffic.no_version"
            )
        role = ArmRole.SHADOW if self.shadow.value else ArmRole.LIVE
        return Arm(
            model_version_id=int(self.version.value),
            weight=int(self.weight.value or 0) if role == ArmRole.LIVE else 0,
            role=role,
        )


class TrafficPanel:
    def __init__(
        self,
        actor: Actor,
        endpoint: str,
        revision: DeploymentRevision,
        options: dict[int, str],
        *,
        on_change: Callable[[], Awaitable[None]],
    ) -> None:
        self._actor, self._endpoint, self._options = actor, endpoint, options
        self._on_change = on_change
        self._editors: list[_ArmEditor] = []
        with section("Traffic", "call_split", marker="traffic-panel"):
            self._summary = ui.label().mark("traffic-summary")
            self._table = plain_table([], ARM_COLUMNS, marker="traffic-arms")
            ui.label("Change versions and weights (live weights sum to 100)").classes(
                "font-semibold pt-2"
            )
            self._arms_box = ui.column().classes("gap-1")
            with ui.row().classes("items-end gap-3"):
                ui.button("Add version", icon="add", on_click=self._add_editor).props("flat").mark(
                    "add-arm"
                )
                self._note = ui.input("Why (kept in history)").classes("w-72").mark("traffic-note")
                ui.button("Apply", icon="check", on_click=guarded(self._apply)).mark(
                    "apply-traffic"
                )
                ui.button("Roll back", icon="undo", on_click=self._confirm_rollback).props(
                    "outline color=negative"
                ).mark("rollback")
            self._canary_box = ui.column().classes("w-full gap-1 pt-2").mark("canary")
        self._rollback_dialog = self._build_rollback_dialog()
        self.show(revision)

    @classmethod
    async def create(
        cls, actor: Actor, endpoint: str, *, on_change: Callable[[], Awaitable[None]]
    ) -> TrafficPanel:
        revision = await call(services().traffic.current, actor, endpoint)
        versions = await call(services().models.list, actor, limit=200)
        options = {v.id: f"{v.name} v{v.version} ({v.stage})" for v in versions.items}
        return cls(actor, endpoint, revision, options, on_change=on_change)

    def show(self, revision: DeploymentRevision) -> None:
        self._summary.set_text(
            f"Revision {revision.revision} ({revision.action}) by {revision.created_by}"
            + (f": {revision.note}" if revision.note else "")
        )
        self._table.rows = arm_rows(revision)
        self._arms_box.clear()
        self._editors = []
        with self._arms_box:
            for arm in revision.arms:
                self._editors.append(
                    _ArmEditor(self._options, self._arm_of(arm), len(self._editors))
                )
        self._show_canary(revision)

    @staticmethod
    def _arm_of(info: Any) -> Arm:
        return Arm(model_version_id=info.model_version_id, weight=info.weight, role=info.role)

    def _add_editor(self) -> None:
        with self._arms_box:
            self._editors.append(_ArmEditor(self._options, None, len(self._editors)))

    def _show_canary(self, revision: DeploymentRevision) -> None:
        self._canary_box.clear()
        with self._canary_box:
            ui.label("Canary").classes("font-semibold")
            state = revision.canary
            if state is not None:
                plan = " → ".join(
                    f"[{s}%]" if i == state.step else f"{s}%" for i, s in enumerate(state.steps)
                )
                ui.label(f"Version id {state.model_version_id}: {plan}").mark("canary-plan")
                with ui.row().classes("gap-3"):
                    ui.button(
                        "Next step", icon="trending_up", on_click=guarded(self._advance)
                    ).mark("canary-advance")
                    ui.button("Abort", icon="block", on_click=guarded(self._abort)).props(
                        "outline color=negative"
                    ).mark("canary-abort")
                return
            with ui.row().classes("items-end gap-3"):
                self._canary_version = (
                    ui.select(self._options, label="New version")
                    .classes("w-72")
                    .mark("canary-version")
                )
                self._canary_steps = ui.input(
                    "Steps %", value=",".join(map(str, DEFAULT_CANARY_STEPS))
                ).mark("canary-steps")
                ui.button(
                    "Start canary", icon="flight_takeoff", on_click=guarded(self._start)
                ).mark("canary-start")

    async def _changed(self, revision: DeploymentRevision, message: str) -> None:
        self.show(revision)
        ui.notify(message, type="positive")
        await self._on_change()

    async def _apply(self) -> None:
        arms = [editor.arm() for editor in self._editors]
        revision = await call(
            services().traffic.set_traffic, self._actor, self._endpoint, arms, self._note.value
        )
        self._note.set_value("")
        await self._changed(revision, f"Traffic updated: revision {revision.revision}.")

    async def _start(self) -> None:
        if self._canary_version.value is None:
            raise InvalidInputError(
                "Pick the version the canary brings in.", code="traffic.no_version"
            )
        try:
            steps = [int(s) for s in str(self._canary_steps.value).split(",") if s.strip()]
        except ValueError:
            raise InvalidInputError(
                "Steps are whole numbers, e.g. 5,25,50,100.", code="traffic.bad_steps"
            ) from None
        revision = await call(
            services().traffic.start_canary,
            self._actor,
            self._endpoint,
            int(self._canary_version.value),
            steps=steps,
        )
        await self._changed(revision, "Canary started.")

    async def _advance(self) -> None:
        revision = await call(services().traffic.advance_canary, self._actor, self._endpoint)
        await self._changed(revision, f"Canary {revision.action.split('.')[-1]}.")

    async def _abort(self) -> None:
        revision = await call(services().traffic.abort_canary, self._actor, self._endpoint)
        await self._changed(revision, "Canary aborted.")

    def _confirm_rollback(self) -> None:
        self._rollback_dialog.open()

    def _build_rollback_dialog(self) -> ui.dialog:
        async def rollback() -> None:
            dialog.close()
            revision = await call(services().traffic.rollback, self._actor, self._endpoint)
            await self._changed(revision, f"Rolled back: revision {revision.revision}.")

        with ui.dialog() as dialog, ui.card().mark("rollback-dialog"):
            ui.label("Serve the previous configuration again?")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Roll back", on_click=guarded(rollback)).props("color=negative").mark(
                    "confirm-rollback"
                )
        return dialog


__all__ = ["TrafficPanel", "arm_rows"]
