"""A finished training run: its metrics as cards and a chart, and registering its model."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Run
from modelyard.ui.components.cards import metric_cards
from modelyard.ui.components.charts import bar_chart
from modelyard.ui.components.cluster_view import cluster_view, is_unsupervised
from modelyard.ui.components.evaluation_charts import evaluation_charts
from modelyard.ui.components.feature_ranking import feature_ranking
from modelyard.ui.components.run_actions import run_actions
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import metric_name


async def run_result(actor: Actor, run_id: int) -> None:
    run = await call(services().training.get_run, actor, run_id)
    with ui.card().classes("w-full gap-3").mark("run-result"):
        ui.label("Result").classes("text-lg font-semibold")
        if is_unsupervised(run.task):  # no target and no hold-out split: its own view
            cluster_view(run)
            _register_form(actor, run)
            return
        ui.label(
            f"{run.algorithm} for {run.task} of '{run.target}', "
            f"evaluated on a held-out split ({len(run.feature_columns)} features)."
        ).classes("text-grey-8")
        metric_cards(run.metrics)
        bar_chart(
            {metric_name(k): v for k, v in run.metrics.items()},
            title="Hold-out metrics",
            marker="metrics-chart",
        )
        feature_ranking((run.details or {}).get("feature_ranking"))
        _register_form(actor, run)
        run_actions(actor, run)
        with ui.expansion("Evaluation plots", icon="insights", value=True).classes("w-full"):
            evaluation_charts(run.details.get("evaluation") or {})


def _register_form(actor: Actor, run: Run) -> None:
    async def register() -> None:
        name = model_name.value.strip() or None
        version = await call(services().models.register, actor, run.id, name=name)
        ui.notify(f"Registered {version.name} version {version.version}", type="positive")
        ui.navigate.to("/models")

    with ui.row().classes("items-end gap-3"):
        model_name = ui.input("Model name (optional)", placeholder="dataset-target")
        model_name.classes("w-72").mark("model-name")
        ui.button("Register model", icon="inventory_2", on_click=guarded(register)).mark(
            "register-model"
        )
