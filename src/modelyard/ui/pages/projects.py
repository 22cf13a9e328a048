"""Projects: the list with search, creating one with its objective, and one project."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Objective, Project
from modelyard.ui.components.badges import status_badge
from modelyard.ui.components.tables import Rows, SearchableTable, column
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.layout import page

COLUMNS = [
    column("name", "Project"),
    column("status", "Status"),
    column("target", "Target"),
    column("description", "Description"),
    column("created_by", "Created by"),
    column("updated_at", "Updated"),
]

QUESTIONS = (
    ("decision", "Which decision will the model support?", 2000),
    ("target", "Which column should it predict?", 200),
    ("success_metric", "How will success be measured?", 200),
    ("constraints", "Constraints (latency, interpretability, fairness...)", 2000),
)


@page("/projects", "Projects")
async def projects_page(actor: Actor) -> None:
    async def load(search: str | None) -> Rows:
        found = await call(services().projects.list, actor, search=search, limit=200)
        return [_row(project) for project in found.items]

    dialog = _create_dialog(actor)
    table = SearchableTable(
        load,
        columns=COLUMNS,
        href="'/projects/' + props.row.id",
        marker="projects",
        empty_text="No projects yet: a project states a modelling goal and how to judge it.",
    )
    with table.toolbar:
        ui.button("New project", icon="add", on_click=dialog.open).mark("new-project")
    await table.refresh()


@page("/projects/{project_id}", "Project")
async def project_page(actor: Actor, project_id: int) -> None:
    project = await call(services().projects.get, actor, project_id)
    with ui.row().classes("items-center gap-3"):
        ui.label(project.name).classes("text-xl font-semibold").mark("project-heading")
        status_badge(project.status.value, marker="project-status")
    if project.description:
        ui.label(project.description).classes("text-grey-8")
    with ui.card().classes("w-full gap-2").mark("objective"):
        ui.label("Objective").classes("text-lg font-semibold")
        for key, question, _ in QUESTIONS:
            ui.label(question).classes("text-sm text-grey-7")
            ui.label(getattr(project.objective, key) or "-")
    ui.label(f"Created by {project.created_by} on {when(project.created_at)}").classes(
        "text-sm text-grey-7"
    )


def _row(project: Project) -> dict[str, object]:
    return {
        "id": project.id,
        "name": project.name,
        "status": project.status.value,
        "target": project.objective.target or "-",
        "description": project.description,
        "created_by": project.created_by,
        "updated_at": when(project.updated_at),
    }


def _create_dialog(actor: Actor) -> ui.dialog:
    async def create() -> None:
        objective = Objective(**{key: field.value.strip() for key, field in answers.items()})
        project = await call(
            services().projects.create,
            actor,
            name.value,
            description=description.value,
            objective=objective,
        )
        ui.navigate.to(f"/projects/{project.id}")

    with ui.dialog() as dialog, ui.card().classes("w-[36rem] gap-2").mark("project-dialog"):
        ui.label("New project").classes("text-lg font-semibold")
        name = ui.input("Name").props("maxlength=200").classes("w-full").mark("project-name")
        description = ui.textarea("Description").classes("w-full").mark("project-description")
        ui.label("Objective").classes("font-semibold pt-2")
        answers = {
            key: ui.input(question)
            .props(f"maxlength={limit}")
            .classes("w-full")
            .mark(f"objective-{key}")
            for key, question, limit in QUESTIONS
        }
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Create", on_click=guarded(create)).mark("create-project")
    return dialog
