"""Starting a training job on a dataset version."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, DatasetVersion
from modelyard.ui.components.cluster_view import TASKS, is_unsupervised
from modelyard.ui.components.train_options import advanced_options
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded


def train_form(actor: Actor, version: DatasetVersion, *, suggested_target: str | None) -> None:
    """Pick a target column, start the job, and follow it on the job page."""

    async def start() -> None:
        chosen = None if task.value == "auto" else task.value
        options = read_options().model_copy(update={"task": chosen})
        start = services().training.start
        job = await call(start, actor, version.id, target.value or "", options=options)
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
                task = ui.select(TASKS, label="Task", value="auto").classes("min-w-48")
                task.mark("task-select")
                button = ui.button("Start training", icon="play_arrow", on_click=guarded(start))
                button.mark("start-training")

                def can_start() -> None:  # unsupervised tasks need no target
                    button.set_enabled(bool(target.value) or is_unsupervised(task.value))

                target.on_value_change(can_start)
                task.on_value_change(can_start)
                can_start()
        read_options = advanced_options()
