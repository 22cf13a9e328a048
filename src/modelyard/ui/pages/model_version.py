"""One model version: stage, metrics, model card, promotion requests, deploy and batch scoring."""

from __future__ import annotations

import re

from nicegui import ui

from modelyard.domain import Actor, ModelVersion
from modelyard.domain.approvals import CARD_FIELDS, Stage
from modelyard.ui.components.batch_scoring import BatchScoring, dataset_version_options
from modelyard.ui.components.cards import metric_cards, section
from modelyard.ui.components.promotion import request_summary, stage_badge
from modelyard.ui.components.schedules import ScheduleSection, model_files
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.layout import page
from modelyard.ui.pages import model_compare  # noqa: F401  (/models/compare before /models/{id})

REQUESTS_SHOWN = 50
ENDPOINT_STAGES = ("development", "staging", "production")
# filled by the run when the version is registered; people write the others
AUTO_CARD_FIELDS = ("training_data", "evaluation", "algorithm")


@page("/models/{model_version_id}", "Model version")
async def model_version_page(actor: Actor, model_version_id: int) -> None:
    model = await call(services().models.get, actor, model_version_id)
    _heading(model)
    metric_cards(model.metrics)
    _card(actor, model)
    await _promotion(actor, model)
    _deploy(actor, model)
    options = await dataset_version_options(actor)
    BatchScoring(actor, model, options)
    ScheduleSection(actor, model, options)
    model_files(actor, model)


def _heading(model: ModelVersion) -> None:
    with ui.row().classes("items-center gap-3").mark("model-heading"):
        ui.label(f"{model.name} version {model.version}").classes("text-xl font-semibold")
        stage_badge(model.stage, marker="model-stage")
        ui.badge(model.task, color="indigo-7")
    ui.label(
        f"{len(model.feature_columns)} input columns · registered by {model.created_by} "
        f"on {when(model.created_at)} · {model.mlflow_uri}"
    ).classes("text-sm text-grey-7")


def _card(actor: Actor, model: ModelVersion) -> None:
    async def save() -> None:
        fields = {name: str(area.value or "") for name, area in editors.items()}
        await call(services().approvals.update_card, actor, model.id, fields)
        ui.notify("Model card saved.", type="positive")

    editors: dict[str, ui.textarea] = {}
    with section("Model card", "description", marker="model-card"):
        for name in AUTO_CARD_FIELDS:
            with ui.row().classes("gap-2 items-baseline"):
                ui.label(_title(name)).classes("font-medium min-w-40")
                ui.label(str(model.card.get(name, ""))).mark(f"card-{name}")
        for name in CARD_FIELDS:
            if name in AUTO_CARD_FIELDS:
                continue
            editors[name] = (
                ui.textarea(_title(name), value=str(model.card.get(name, "")))
                .props("autogrow outlined dense")
                .classes("w-full")
                .mark(f"card-{name}")
            )
        ui.button("Save card", icon="save", on_click=guarded(save)).mark("save-card")


async def _promotion(actor: Actor, model: ModelVersion) -> None:
    async def submit() -> None:
        await call(
            services().approvals.request,
            actor,
            model.id,
            Stage(stage.value),
            note=note.value.strip(),
        )
        ui.notify("Promotion requested; an approver decides it.", type="positive")
        ui.navigate.to(f"/models/{model.id}")

    found = await call(
        services().approvals.list, actor, model_version_id=model.id, limit=REQUESTS_SHOWN
    )
    requests = found.items
    with section("Promotion", "verified", marker="promotion"):
        with ui.row().classes("items-end gap-3 w-full"):
            stage = (
                ui.select([Stage.STAGING.value, Stage.PRODUCTION.value], label="Stage")
                .classes("w-40")
                .mark("promotion-stage")
            )
            stage.set_value(Stage.PRODUCTION.value if model.stage == "staging" else "staging")
            note = ui.input("Note for the approvers").classes("grow").mark("promotion-note")
            ui.button("Request promotion", icon="send", on_click=guarded(submit)).mark(
                "request-promotion"
            )
        if not requests:
            ui.label("No promotion requests yet.").classes("text-grey-7")
        for request in requests:
            with (
                ui.card()
                .classes("w-full gap-1")
                .props("flat bordered")
                .mark(f"version-request-{request.id}")
            ):
                request_summary(request)


def _deploy(actor: Actor, model: ModelVersion) -> None:
    async def deploy() -> None:
        deployment = await call(
            services().deployments.create,
            actor,
            name.value.strip(),
            model.id,
            stage=str(stage.value),
        )
        ui.navigate.to(f"/deployments/{deployment.name}")

    with section("Deploy", "rocket_launch", marker="deploy-card"):
        ui.label(
            "Staging endpoints serve versions approved for staging or production; production "
            "endpoints serve production versions only."
        ).classes("text-grey-7")
        with ui.row().classes("items-end gap-3"):
            name = ui.input("Endpoint name", value=suggested_endpoint(model.name))
            name.props("dense").classes("w-64").mark("endpoint-name")
            stage = ui.select(list(ENDPOINT_STAGES), label="Endpoint stage", value="development")
            stage.classes("w-40").mark("endpoint-stage")
            ui.button("Deploy", icon="rocket_launch", on_click=guarded(deploy)).mark("deploy")


def suggested_endpoint(model_name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", model_name.lower()).strip("-")[:100]


def _title(field: str) -> str:
    return field.replace("_", " ").capitalize()
