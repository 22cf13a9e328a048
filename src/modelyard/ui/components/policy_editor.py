"""The approval policy of one stage, edited by an administrator."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.approvals import CARD_FIELDS, Policy, Stage
from modelyard.errors import InvalidInputError
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded


class PolicyEditor:
    """Minimum approvals, metric thresholds ('metric=value' lines), card fields, validation data."""

    def __init__(self, actor: Actor, policy: Policy) -> None:
        self._actor = actor
        self._stage = policy.stage
        marker = f"policy-{policy.stage}"
        with ui.card().classes("w-full gap-2").mark(marker):
            ui.label(f"Promotion to {policy.stage}").classes("text-lg font-semibold")
            with ui.row().classes("items-start gap-3 w-full"):
                self._approvals = (
                    ui.number("Minimum approvals", value=policy.min_approvals, min=1, max=5)
                    .props("dense")
                    .classes("w-40")
                    .mark(f"{marker}-approvals")
                )
                self._validation = (
                    ui.number(
                        "Validation dataset version id (optional)",
                        value=policy.validation_dataset_version_id,
                        precision=0,
                    )
                    .props("dense")
                    .classes("w-72")
                    .mark(f"{marker}-validation")
                )
            self._thresholds = (
                ui.textarea(
                    "Metric thresholds, one 'metric=value' per line",
                    value="\n".join(f"{k}={v:g}" for k, v in policy.metric_thresholds.items()),
                )
                .props("autogrow outlined dense")
                .classes("w-full")
                .mark(f"{marker}-thresholds")
            )
            self._fields = (
                ui.select(
                    list(CARD_FIELDS),
                    label="Required model card fields",
                    value=list(policy.required_card_fields),
                    multiple=True,
                )
                .props("use-chips")
                .classes("w-full")
                .mark(f"{marker}-fields")
            )
            ui.button("Save policy", icon="save", on_click=guarded(self._save)).mark(
                f"{marker}-save"
            )

    async def _save(self) -> None:
        validation = self._validation.value
        policy = Policy(
            stage=self._stage,
            min_approvals=int(self._approvals.value or 1),
            metric_thresholds=parse_thresholds(str(self._thresholds.value or "")),
            required_card_fields=list(self._fields.value or []),
            validation_dataset_version_id=None if validation in (None, "") else int(validation),
        )
        await call(services().approvals.set_policy, self._actor, policy)
        ui.notify(f"Saved the {self._stage} policy.", type="positive")


def parse_thresholds(text: str) -> dict[str, float]:
    """'metric=value' lines into a dict; a malformed line is the user's to fix."""
    thresholds: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            thresholds[name.strip()] = float(value)
        except ValueError:
            raise InvalidInputError(
                f"Threshold line {number} ({line.strip()!r}) should read 'metric=value', "
                "for example 'accuracy=0.8'.",
                code="ui.bad_threshold",
            ) from None
    return thresholds


async def policy_editors(actor: Actor) -> None:
    for stage in (Stage.STAGING, Stage.PRODUCTION):
        PolicyEditor(actor, await call(services().approvals.get_policy, actor, stage))
