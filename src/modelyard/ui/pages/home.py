"""Home: what the workspace holds, and a way in for an empty installation."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.ui.components.cards import stat_card
from modelyard.ui.context import call, jobs, services
from modelyard.ui.errors import guarded
from modelyard.ui.layout import page

STEPS = (
    ("Upload a table", "/datasets", "A spreadsheet or data file becomes a versioned dataset."),
    ("Train a model", "/datasets", "Pick a target column; training runs in the background."),
    ("Register it", "/training", "Keep the model of a finished run in the registry."),
    ("Deploy and predict", "/models", "Serve it behind a REST endpoint and try it out."),
)
CARDS = (
    ("Datasets", "table_chart", "/datasets"),
    ("Jobs", "model_training", "/training"),
    ("Models", "inventory_2", "/models"),
    ("Endpoints", "rocket_launch", "/deployments"),
)


@page("/", "Home")
async def home_page(actor: Actor) -> None:
    counts = await call(_counts, actor)
    ui.label(f"Welcome, {actor.username}.").classes("text-grey-8")
    with ui.row().classes("gap-4"):
        for (label, icon, path), count in zip(CARDS, counts, strict=True):
            with ui.link(target=path).classes("no-underline text-inherit"):
                stat_card(label, count, icon=icon, marker=f"count-{label.lower()}")
    if counts[0] == 0:
        _sample_data(actor)
    _steps()


def _counts(actor: Actor) -> tuple[int, int, int, int]:
    s = services()
    return (
        s.datasets.list(actor, limit=1).total,
        jobs().list(actor, limit=1).total,
        s.models.list(actor, limit=1).total,
        s.deployments.list(actor, limit=1).total,
    )


def _sample_data(actor: Actor) -> None:
    async def create_sample() -> None:
        version = await call(services().datasets.create_sample, actor)
        ui.navigate.to(f"/datasets/{version.dataset_id}")

    with ui.card().classes("w-full gap-2 bg-green-50").mark("empty-installation"):
        ui.label("Nothing here yet").classes("text-lg font-semibold")
        ui.label(
            "Start with the Palmer penguins: 344 penguins, their measurements and species. "
            "Train a model that tells the species from the measurements in under a minute."
        )
        ui.button("Try it with sample data", icon="science", on_click=guarded(create_sample)).mark(
            "try-sample"
        )


def _steps() -> None:
    with ui.card().classes("w-full gap-2"):
        ui.label("From a table to a prediction").classes("text-lg font-semibold")
        for number, (title, path, text) in enumerate(STEPS, start=1):
            with ui.row().classes("items-center gap-3"):
                ui.badge(str(number)).classes("text-sm px-2")
                ui.link(title, path).classes("font-medium")
                ui.label(text).classes("text-grey-7")
