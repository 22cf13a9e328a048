"""Endpoints: the list, and one endpoint with its URL, a curl example and a test form."""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

from modelyard.domain import Actor, ModelVersion
from modelyard.domain.traffic import ArmRole, DeploymentRevision
from modelyard.ui.components.live_metrics import LiveMetrics
from modelyard.ui.components.prediction_form import PredictionForm
from modelyard.ui.components.promotion import stage_badge
from modelyard.ui.components.tables import column, link_table
from modelyard.ui.components.traffic_history import TrafficChart, TrafficHistory
from modelyard.ui.components.traffic_panel import TrafficPanel
from modelyard.ui.context import call, services
from modelyard.ui.formatting import metric, metric_name, when
from modelyard.ui.layout import page

COLUMNS = [
    column("name", "Endpoint"),
    column("model", "Model"),
    column("version", "Version", align="right"),
    column("stage", "Stage"),
    column("created_by", "Created by"),
    column("updated_at", "Updated"),
]
EXAMPLE_VALUES: dict[str, Any] = {"numeric": 0.0, "integer": 0, "boolean": False}


@page("/deployments", "Deployments")
async def deployments_page(actor: Actor) -> None:
    found = await call(services().deployments.list, actor, limit=200)
    rows = [
        {
            "id": d.id,
            "name": d.name,
            "model": d.model_name,
            "version": d.model_version,
            "stage": d.stage,
            "created_by": d.created_by,
            "updated_at": when(d.updated_at),
        }
        for d in found.items
    ]
    if not rows:
        ui.label("No endpoints yet: deploy a registered model from the Models page.").classes(
            "text-grey-7"
        ).mark("deployments-empty")
        return
    link_table(rows, COLUMNS, href="'/deployments/' + props.row.name", marker="deployments")


@page("/deployments/{name}", "Endpoint")
async def deployment_page(actor: Actor, name: str) -> None:
    deployment = await call(services().deployments.get, actor, name)
    model = await call(services().deployments.served_model, actor, name)
    _serves(name, deployment.stage, model)
    arms = _ArmChips(await call(services().traffic.current, actor, name))
    history: list[TrafficHistory] = []

    async def changed() -> None:
        arms.show(await call(services().traffic.current, actor, name))
        for table in history:
            await table.refresh()

    await TrafficPanel.create(actor, name, on_change=changed)
    TrafficChart(actor, name)
    _usage(name, model)
    PredictionForm(actor, name, model)
    await LiveMetrics.create(actor, name)
    history.append(await TrafficHistory.create(actor, name))


def _serves(name: str, stage: str, model: ModelVersion) -> None:
    with ui.row().classes("items-center gap-3"):
        ui.label(name).classes("text-xl font-semibold").mark("endpoint-heading")
        stage_badge(stage, marker="endpoint-stage")
    with ui.row().classes("items-center gap-2").mark("served-model"):
        ui.label("Serves")
        ui.link(f"{model.name} version {model.version}", f"/models/{model.id}").classes(
            "font-medium"
        )
        stage_badge(model.stage, marker="served-stage")
        ui.badge(model.task, color="indigo-7")
        for metric_key, value in model.metrics.items():
            ui.chip(f"{metric_name(metric_key)} {metric(value)}").props("outline dense square")


class _ArmChips:
    """Under the header: every version the endpoint serves, with its share or "shadow"
    (nothing when one version serves alone); redrawn when the traffic changes."""

    def __init__(self, revision: DeploymentRevision) -> None:
        self._row = ui.row().classes("items-center gap-2").mark("served-arms")
        self.show(revision)

    def show(self, revision: DeploymentRevision) -> None:
        self._row.clear()
        if len(revision.arms) < 2:
            return
        with self._row:
            ui.label("Traffic")
            for arm in revision.arms:
                share = f"{arm.weight}%" if arm.role == ArmRole.LIVE else "shadow"
                icon = "call_split" if arm.role == ArmRole.LIVE else "visibility"
                ui.chip(f"v{arm.model_version}: {share}", icon=icon).props(
                    "outline dense square"
                ).mark(f"served-arm-{arm.model_version_id}")


def _usage(name: str, model: ModelVersion) -> None:
    base = str(ui.context.client.request.base_url).rstrip("/")
    url = f"{base}/api/v1/endpoints/{name}/predict"
    example = {c.name: EXAMPLE_VALUES.get(c.kind, "text") for c in model.feature_columns}
    body = json.dumps({"records": [example]}, indent=2)
    with ui.card().classes("w-full gap-2").mark("endpoint-usage"):
        ui.label("REST endpoint").classes("text-lg font-semibold")
        ui.label(f"POST {url}").classes("font-mono").mark("endpoint-url")
        ui.code(
            f"curl -X POST {url} \\\n"
            '  -H "Authorization: Bearer $MODELYARD_TOKEN" \\\n'
            '  -H "Content-Type: application/json" \\\n'
            f"  -d '{body}'",
            language="bash",
        ).classes("w-full").mark("curl-example")
        ui.label(
            "Get a token with POST /api/v1/auth/tokens (username and password in, token out). "
            "The answer holds the predictions, class probabilities and prediction ids."
        ).classes("text-sm text-grey-7")
