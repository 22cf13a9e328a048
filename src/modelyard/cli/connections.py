"""`modelyard connections ...`: saved SQL databases, and read-only imports from them."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, show_item, show_page
from modelyard.cli.versions import show_version

app = typer.Typer(
    help="Database connections: import the result of a read-only query as a dataset.",
    no_args_is_help=True,
)

CONNECTION_COLUMNS: list[Column] = [
    ("id", lambda c: c.id),
    ("name", lambda c: c.name),
    ("url", lambda c: c.url_display),
    ("env var", lambda c: c.url_env_var),
    ("created by", lambda c: c.created_by),
    ("created", lambda c: c.created_at),
]

ConnectionId = Annotated[int, typer.Argument(metavar="ID", help="Connection id.")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Connection name.")],
    url: Annotated[
        str | None,
        typer.Option(help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db."),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option(
            "--env", metavar="VAR", help="Or: the server's environment variable holding the URL."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Save a database connection (--url, kept encrypted, or --env on the server)."""
    created = get_client(ctx).connections.create(name, url=url, env_var=env)
    show_item(created, CONNECTION_COLUMNS, as_json=as_json)


@app.command("list")
def list_connections(
    ctx: typer.Context, offset: Offset = 0, limit: Limit = 50, as_json: JsonFlag = False
) -> None:
    """List saved connections (passwords hidden)."""
    page = get_client(ctx).connections.list(offset=offset, limit=limit)
    show_page(page, CONNECTION_COLUMNS, as_json=as_json, noun="connections")


@app.command("remove")
def remove(ctx: typer.Context, connection_id: ConnectionId) -> None:
    """Remove a saved connection (datasets imported from it stay)."""
    get_client(ctx).connections.delete(connection_id)
    typer.echo(f"Removed connection {connection_id}.")


@app.command("import")
def import_query(
    ctx: typer.Context,
    connection_id: ConnectionId,
    sql: Annotated[str, typer.Argument(metavar="SQL", help="One query that reads (SELECT).")],
    dataset: Annotated[
        str, typer.Option("--dataset", help="The dataset the result becomes a version of.")
    ],
    project: Annotated[int | None, typer.Option(help="Project id to link the dataset to.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a read-only query on the database; its result becomes a dataset version."""
    version = get_client(ctx).connections.import_query(
        connection_id, sql, dataset, project_id=project
    )
    show_version(version, "Imported", as_json=as_json)
