"""Starting a training job on a dataset version."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, DatasetVersion
from modelyard.ui.components.train_options import advanced_options
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded


def train_form(actor: Actor, version: DatasetVersion, *, suggested_target: str | None) -> None:
    """Pick a target column, start the job, and follow it on the job page."""

    async def start() -> None:
        options = read_options()
        job = await call(
            services().training.start, actor, version.id, target.value, options=options
        )
        ui.navigate.to(f"/jobs/{job.id}")

    with ui.card().classes("w-full").mark("train-card"):
        with ui.row().classes("w-full items-center gap-3"):
            with ui.column().classes("gap-0 grow"):
                ui.label("Train a model").classes("text-lg font-semibold")
                ui.label(
                    f"On version {version.version}: pick the column to predict; the other "
                    "columns become the model's inputs. Training runs in the background."
                ).classes("text-grey-7 text-sm")
            with ui.row().classes("items-center gap-3 no-wrap"):
                names = [c.name for c in version.columns]
                value = suggested_target if suggested_target in names else None
                target = ui.select(names, label="Target column", value=value, with_input=True)
                target.classes("min-w-64").mark("target-select")
                ui.button("Start training", icon="play_arrow", on_click=guarded(start)).mark(
                    "start-training"
                ).bind_enabled_from(target, "value", backward=bool)
        read_options = advanced_options()
