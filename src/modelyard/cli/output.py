"""How commands print: tables or `key: value` lines for people, JSON with `--json`.

Tables and messages go to stdout; progress and errors for people go to stderr. With
`--json` everything a script reads, the error shape included, is JSON on stdout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel

from modelyard.domain import Page

JSON_KEY = "modelyard.json"
DEBUG_KEY = "modelyard.debug"

Column = tuple[str, Callable[[Any], object]]


def _remember_json(ctx: typer.Context, value: bool) -> bool:
    if value:  # ctx.meta is shared by every context of one invocation: the root mapper sees it
        ctx.meta[JSON_KEY] = True
    return value


JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print JSON (errors too).", callback=_remember_json)
]
Offset = Annotated[int, typer.Option(min=0, help="Skip this many items.")]
Limit = Annotated[int, typer.Option(min=1, max=500, help="Show at most this many items.")]


def jsonable(value: BaseModel | Sequence[BaseModel] | Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(jsonable(value), indent=2, default=str))


def cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def print_table(rows: Sequence[Any], columns: Sequence[Column]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*(name for name, _ in columns), box=box.SIMPLE)
    for row in rows:
        table.add_row(*(Text(cell(get(row))) for _, get in columns))  # Text: no markup in data
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 200  # piped output: rather long lines than folded cells
    console.print(table)


def show_page(page: Page[Any], columns: Sequence[Column], *, as_json: bool, noun: str) -> None:
    """Print one page of a list, with a hint when there is more."""
    if as_json:
        return print_json(page)
    if not page.items:
        return typer.echo(f"No {noun} yet.")
    print_table(page.items, columns)
    if page.total > len(page.items):
        first = page.offset + 1
        typer.echo(
            f"{first}-{page.offset + len(page.items)} of {page.total} {noun} (see --offset)."
        )


def show_item(item: BaseModel, fields: Sequence[Column], *, as_json: bool) -> None:
    """Print one object as aligned `label: value` lines."""
    if as_json:
        return print_json(item)
    width = max(len(label) for label, _ in fields)
    for label, get in fields:
        typer.echo(f"{label + ':':<{width + 1}} {cell(get(item))}")


def show_rows(rows: Sequence[dict[str, Any]], *, as_json: bool) -> None:
    """Print table rows given as dicts (a dataset preview)."""
    if as_json:
        return print_json(list(rows))
    if not rows:
        return typer.echo("No rows.")
    print_table(rows, [(str(name), _getter(name)) for name in rows[0]])


def _getter(name: str) -> Callable[[Any], object]:
    return lambda row: row.get(name)


def fail(ctx: typer.Context, error: dict[str, Any]) -> NoReturn:
    """Say why a command failed and exit with code 1: stderr for people, JSON with --json."""
    if ctx.meta.get(JSON_KEY):
        typer.echo(json.dumps({"error": error}, indent=2, default=str))
    else:
        typer.echo(f"Error: {error['message']}", err=True)
    raise typer.Exit(1)
