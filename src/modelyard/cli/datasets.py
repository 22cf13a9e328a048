"""`modelyard datasets ...`: upload tables and look at datasets."""

from __future__ import annotations

from pathlib import Path
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
from modelyard.domain import Dataset

app = typer.Typer(help="Upload tables and look at datasets.", no_args_is_help=True)

DATASET_COLUMNS: list[Column] = [
    ("id", lambda d: d.id),
    ("name", lambda d: d.name),
    ("version", lambda d: d.latest_version and f"v{d.latest_version.version}"),
    ("version id", lambda d: d.latest_version and d.latest_version.id),
    ("rows", lambda d: d.latest_version and d.latest_version.n_rows),
    ("columns", lambda d: d.latest_version and d.latest_version.n_columns),
    ("project", lambda d: d.project_id),
    ("created", lambda d: d.created_at),
]
SCHEMA_COLUMNS: list[Column] = [
    ("column", lambda c: c.name),
    ("kind", lambda c: c.kind),
    ("type", lambda c: c.dtype),
    ("missing", lambda c: c.missing),
]


@app.command("upload")
def upload(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="The table to upload: CSV, TSV, Parquet, ...",
        ),
    ],
    name: Annotated[str | None, typer.Option(help="Dataset name (default: the file name).")] = None,
    project: Annotated[int | None, typer.Option(help="Project id to link the dataset to.")] = None,
    description: Annotated[str, typer.Option(help="What the data is.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Upload a table as a new version of a dataset."""
    version = get_client(ctx).datasets.upload(
        file, name, project_id=project, description=description
    )
    if as_json:
        return print_json(version)
    typer.echo(
        f"Uploaded {file.name}: dataset {version.dataset_id}, version {version.version} "
        f"(version id {version.id}), {version.n_rows} rows x {version.n_columns} columns."
    )


@app.command("list")
def list_datasets(
    ctx: typer.Context, offset: Offset = 0, limit: Limit = 50, as_json: JsonFlag = False
) -> None:
    """List datasets with their latest version."""
    page = get_client(ctx).datasets.list(offset=offset, limit=limit)
    show_page(page, DATASET_COLUMNS, as_json=as_json, noun="datasets")


@app.command("show")
def show(
    ctx: typer.Context,
    dataset_id: Annotated[int, typer.Argument(metavar="DATASET_ID", help="Dataset id.")],
    as_json: JsonFlag = False,
) -> None:
    """Show a dataset and the columns of its latest version."""
    dataset = get_client(ctx).datasets.get(dataset_id)
    show_item(
        dataset,
        DATASET_COLUMNS[:2] + [("description", _description)] + DATASET_COLUMNS[2:],
        as_json=as_json,
    )
    if not as_json and dataset.latest_version is not None:
        print_table(dataset.latest_version.columns, SCHEMA_COLUMNS)


def _description(dataset: Dataset) -> str:
    return dataset.description or "-"


@app.command("preview")
def preview(
    ctx: typer.Context,
    version_id: Annotated[int, typer.Argument(metavar="VERSION_ID", help="Dataset version id.")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows to show.")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Show the first rows of a dataset version."""
    show_rows(get_client(ctx).datasets.preview(version_id, limit=limit), as_json=as_json)
