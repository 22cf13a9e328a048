"""The model registry: registered versions with their metrics, and deploying one."""

from __future__ import annotations

import re

from nicegui import ui

from modelyard.domain import Actor, ModelVersion
from modelyard.ui.components.promotion import stage_badge
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import metric, metric_name, when
from modelyard.ui.layout import page


@page("/models", "Models")
async def models_page(actor: Actor, compare: str = "") -> None:
    versions = await call(services().models.list, actor, limit=200)
    if not versions.items:
        ui.label(
            "No models yet: train one from a dataset, then register it from the job page."
        ).classes("text-grey-7").mark("models-empty")
        return
    picked = {int(p) for p in compare.split(",") if p.strip().isdigit()}
    selection: dict[int, ui.checkbox] = {}
    _compare_bar(selection)
    for version in versions.items:
        selection[version.id] = _model_card(actor, version, is_picked=version.id in picked)


def _compare_bar(selection: dict[int, ui.checkbox]) -> None:
    def open_comparison() -> None:
        ids = [str(i) for i, box in selection.items() if box.value]
        if len(ids) < 2:
            ui.notify("Tick two or more versions to compare.", type="warning")
            return
        ui.navigate.to(f"/models/compare?ids={','.join(ids)}")

    with ui.row().classes("items-center gap-3"):
        ui.label("Tick versions to compare them side by side.").classes("text-grey-7")
        ui.button("Compare", icon="compare", on_click=guarded(open_comparison)).mark(
            "compare-selected"
        )


def _model_card(actor: Actor, version: ModelVersion, *, is_picked: bool) -> ui.checkbox:
    with ui.card().classes("w-full gap-2").mark(f"model-{version.id}"):
        with ui.row().classes("items-center gap-3"):
            box = ui.checkbox(value=is_picked).mark(f"compare-{version.id}")
            ui.link(version.name, f"/models/{version.id}").classes(
                "text-lg font-semibold text-primary"
            ).mark(f"model-link-{version.id}")
            ui.badge(f"version {version.version}").props("outline")
            ui.badge(version.task, color="indigo-7")
            stage_badge(version.stage, marker=f"model-stage-{version.id}")
        with ui.row().classes("gap-2"):
            for name, value in version.metrics.items():
                ui.chip(f"{metric_name(name)} {metric(value)}").props("outline dense square")
        ui.label(
            f"{len(version.feature_columns)} input columns · registered by {version.created_by} "
            f"on {when(version.created_at)} · {version.mlflow_uri}"
        ).classes("text-sm text-grey-7")
        _deploy_form(actor, version)
    return box


def _deploy_form(actor: Actor, version: ModelVersion) -> None:
    async def deploy() -> None:
        endpoint = name.value.strip()
        deployment = await call(services().deployments.create, actor, endpoint, version.id)
        ui.navigate.to(f"/deployments/{deployment.name}")

    with ui.row().classes("items-end gap-3"):
        name = ui.input("Endpoint name", value=_suggested_endpoint(version.name))
        name.props("dense").classes("w-64").mark(f"endpoint-name-{version.id}")
        ui.button("Deploy", icon="rocket_launch", on_click=guarded(deploy)).mark(
            f"deploy-{version.id}"
        )


def _suggested_endpoint(model_name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", model_name.lower()).strip("-")[:100]
