"""`modelyard projects ...`: modelling goals."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, show_item, show_page

app = typer.Typer(
    help="Projects: a modelling goal with its data, runs and models.", no_args_is_help=True
)

PROJECT_COLUMNS: list[Column] = [
    ("id", lambda p: p.id),
    ("name", lambda p: p.name),
    ("status", lambda p: p.status),
    ("target", lambda p: p.objective.target or None),
    ("created by", lambda p: p.created_by),
    ("updated", lambda p: p.updated_at),
]


@app.command("list")
def list_projects(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option(help="Text in the name or description.")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List projects, newest activity first."""
    page = get_client(ctx).projects.list(search=search, offset=offset, limit=limit)
    show_page(page, PROJECT_COLUMNS, as_json=as_json, noun="projects")


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Project name.")],
    description: Annotated[str, typer.Option(help="What the project is for.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Create a project."""
    project = get_client(ctx).projects.create(name, description=description)
    show_item(project, PROJECT_COLUMNS, as_json=as_json)


@app.command("show")
def show(
    ctx: typer.Context,
    project_id: Annotated[int, typer.Argument(metavar="PROJECT_ID", help="Project id.")],
    as_json: JsonFlag = False,
) -> None:
    """Show a project."""
    show_item(get_client(ctx).projects.get(project_id), PROJECT_COLUMNS, as_json=as_json)
