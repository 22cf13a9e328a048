"""`modelyard sql ...`: the SQL workbench, read-only DuckDB queries over the datasets.

Each dataset is a table named after it (its latest version); `name@vN` is version N.
"""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import (
    Column,
    JsonFlag,
    Limit,
    Offset,
    print_json,
    print_table,
    show_item,
    show_page,
    show_rows,
)
from modelyard.cli.versions import show_version
from modelyard.domain.entities import QueryResult

app = typer.Typer(
    help="SQL workbench: read-only queries over datasets (each dataset is a table).",
    no_args_is_help=True,
)

QUERY_COLUMNS: list[Column] = [
    ("id", lambda q: q.id),
    ("name", lambda q: q.name),
    ("status", lambda q: q.status),
    ("rows", lambda q: q.row_count),
    ("ms", lambda q: q.elapsed_ms and round(q.elapsed_ms)),
    ("created", lambda q: q.created_at),
    ("sql", lambda q: " ".join(q.sql.split())),
]
QUERY_FIELDS: list[Column] = [*QUERY_COLUMNS[:2], ("sql", lambda q: q.sql)]
TABLE_COLUMNS: list[Column] = [
    ("table", lambda t: t[0]),
    ("columns", lambda t: ", ".join(t[1])),
]

Sql = Annotated[str, typer.Argument(metavar="SQL", help="One SELECT statement.")]
Project = Annotated[int | None, typer.Option(help="Project id to link the dataset to.")]


@app.command("query")
def query(
    ctx: typer.Context,
    sql: Sql,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many rows.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Show at most this many rows.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Run a read-only query; print one page of its rows as a table."""
    result = get_client(ctx).sql.query(sql, offset=offset, limit=limit)
    if as_json:
        return print_json(result)
    show_result(result)


def show_result(result: QueryResult) -> None:
    show_rows(result.rows, as_json=False)
    shown = f"{result.offset + 1}-{result.offset + len(result.rows)} of " if result.rows else ""
    more = " (see --offset)" if result.offset + len(result.rows) < result.total_rows else ""
    typer.echo(f"Rows {shown}{result.total_rows} in {result.elapsed_ms:.0f} ms{more}.")


@app.command("save")
def save(
    ctx: typer.Context,
    sql: Sql,
    dataset: Annotated[
        str, typer.Option("--dataset", help="The dataset the result becomes a version of.")
    ],
    project: Project = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a query to the end and save its result as a new dataset version."""
    version = get_client(ctx).sql.save_result(sql, dataset, project_id=project)
    show_version(version, "Saved the result as", as_json=as_json)


@app.command("tables")
def tables(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the tables a query can use, with their columns."""
    found = get_client(ctx).sql.tables()
    if as_json:
        return print_json(found)
    if not found:
        return typer.echo("No tables yet: upload a dataset first.")
    print_table(sorted(found.items()), TABLE_COLUMNS)


@app.command("history")
def history(
    ctx: typer.Context,
    saved: Annotated[
        bool, typer.Option("--saved", help="The workspace's saved queries instead of mine.")
    ] = False,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List my recent queries, newest first (or the saved ones)."""
    page = get_client(ctx).sql.history(saved=saved, offset=offset, limit=limit)
    show_page(page, QUERY_COLUMNS, as_json=as_json, noun="saved queries" if saved else "queries")


@app.command("remember")
def remember(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A name for the query.")],
    sql: Sql,
    as_json: JsonFlag = False,
) -> None:
    """Save a query by name for the whole workspace."""
    show_item(get_client(ctx).sql.save(name, sql), QUERY_FIELDS, as_json=as_json)
