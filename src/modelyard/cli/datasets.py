"""`modelyard datasets ...`: upload tables, look at datasets and versions, describe, fix,
compare and trace them. Profiling, cleaning and sampling live in :mod:`.profiles`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelyard.cli import profiles
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
from modelyard.cli.progress import job_result, show_started, wait_with_progress
from modelyard.cli.versions import VERSION_COLUMNS, show_version, version_text
from modelyard.domain import ColumnInfo, Dataset, DatasetVersion

app = typer.Typer(
    help="Datasets: upload, versions, dictionary, types, profile, clean, sample, diff, lineage.",
    no_args_is_help=True,
)

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
DICTIONARY_FIELDS: list[Column] = [
    ("description", lambda i: i.description or None),
    ("unit", lambda i: i.unit or None),
    ("role", lambda i: i.role or None),
]
CHANGE_COLUMNS: list[Column] = [
    ("column", lambda c: c.name),
    ("change", lambda c: c.change),
    ("before", lambda c: _stats_text(c.before)),
    ("after", lambda c: _stats_text(c.after)),
]

DatasetId = Annotated[int, typer.Argument(metavar="DATASET_ID", help="Dataset id.")]
VersionId = Annotated[int, typer.Argument(metavar="VERSION_ID", help="Dataset version id.")]
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")]


@app.command("upload")
def upload(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="The table to upload: CSV, TSV, Excel (.xlsx), Parquet, JSON or NDJSON.",
        ),
    ],
    name: Annotated[str | None, typer.Option(help="Dataset name (default: the file name).")] = None,
    project: Annotated[int | None, typer.Option(help="Project id to link the dataset to.")] = None,
    description: Annotated[str, typer.Option(help="What the data is.")] = "",
    sheet: Annotated[str | None, typer.Option(help="Excel only: the sheet to read.")] = None,
    background: Annotated[
        bool, typer.Option("--background", help="Ingest as a job on the server (big files).")
    ] = False,
    wait: Wait = True,
    as_json: JsonFlag = False,
) -> None:
    """Upload a table as a new version of a dataset (with --background, as a job)."""
    client = get_client(ctx)
    if not background:
        version = client.datasets.upload(
            file, name, project_id=project, description=description, sheet=sheet
        )
        return show_version(version, f"Uploaded {file.name}", as_json=as_json)
    job = client.datasets.upload(
        file, name, project_id=project, description=description, sheet=sheet, background=True
    )
    if not wait:
        return show_started(job, as_json=as_json)
    result = job_result(ctx, wait_with_progress(client, job))
    version = client.datasets.version(int(result["dataset_version_id"]))
    show_version(version, f"Ingested {file.name}", as_json=as_json)


@app.command("list")
def list_datasets(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option(help="Text in the name or description.")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List datasets with their latest version."""
    page = get_client(ctx).datasets.list(search=search, offset=offset, limit=limit)
    show_page(page, DATASET_COLUMNS, as_json=as_json, noun="datasets")


@app.command("show")
def show(ctx: typer.Context, dataset_id: DatasetId, as_json: JsonFlag = False) -> None:
    """Show a dataset and the columns of its latest version, with the data dictionary."""
    dataset = get_client(ctx).datasets.get(dataset_id)
    show_item(
        dataset,
        DATASET_COLUMNS[:2] + [("description", _description)] + DATASET_COLUMNS[2:],
        as_json=as_json,
    )
    if not as_json and dataset.latest_version is not None:
        print_table(dataset.latest_version.columns, SCHEMA_COLUMNS + _dictionary_columns(dataset))


def _description(dataset: Dataset) -> str:
    return dataset.description or "-"


def _dictionary_columns(dataset: Dataset) -> list[Column]:
    def field(name: str) -> Column:
        return name, lambda c: getattr(dataset.dictionary.get(c.name), name, None) or None

    return [field("description"), field("unit"), field("role")] if dataset.dictionary else []


@app.command("versions")
def versions(
    ctx: typer.Context,
    dataset_id: DatasetId,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List the versions of a dataset, newest first, with where each came from."""
    page = get_client(ctx).datasets.versions(dataset_id, offset=offset, limit=limit)
    show_page(page, VERSION_COLUMNS, as_json=as_json, noun="versions")


@app.command("preview")
def preview(
    ctx: typer.Context,
    version_id: VersionId,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows to show.")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Show the first rows of a dataset version."""
    show_rows(get_client(ctx).datasets.preview(version_id, limit=limit), as_json=as_json)


@app.command("describe")
def describe(
    ctx: typer.Context,
    dataset_id: DatasetId,
    column: Annotated[str, typer.Argument(metavar="COLUMN", help="Column name.")],
    description: Annotated[str | None, typer.Option(help="What the column means.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit of its values, e.g. EUR, months.")] = None,
    role: Annotated[
        str | None, typer.Option(help="feature, target, identifier, timestamp, ignore, ...")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Describe a column in the data dictionary (only the options given change)."""
    client = get_client(ctx)
    changes = {"description": description, "unit": unit, "role": role}
    if all(value is None for value in changes.values()):
        dataset = client.datasets.get(dataset_id)
    else:
        dataset = client.datasets.update_dictionary(dataset_id, column, **changes)
    entry = dataset.dictionary.get(column) or ColumnInfo()
    if not as_json:
        typer.echo(f"{dataset.name}.{column}")
    show_item(entry, DICTIONARY_FIELDS, as_json=as_json)


@app.command("types")
def types(
    ctx: typer.Context,
    version_id: VersionId,
    changes: Annotated[
        list[str],
        typer.Argument(
            metavar="COLUMN=KIND...",
            help="Kinds: numeric, integer, boolean, categorical, datetime, text.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Fix column types: a new version with the columns cast (e.g. zip=categorical)."""
    kinds = dict(_pair(change) for change in changes)
    version = get_client(ctx).datasets.change_types(version_id, kinds)
    show_version(version, "Cast into", as_json=as_json)


def _pair(change: str) -> tuple[str, str]:
    column, is_pair, kind = change.rpartition("=")
    if not is_pair or not column or not kind:
        raise typer.BadParameter(f"{change!r} is not COLUMN=KIND.", param_hint="COLUMN=KIND")
    return column, kind.strip()


@app.command("diff")
def diff(
    ctx: typer.Context,
    before_id: Annotated[int, typer.Argument(metavar="A", help="Version id to compare from.")],
    after_id: Annotated[int, typer.Argument(metavar="B", help="Version id to compare to.")],
    as_json: JsonFlag = False,
) -> None:
    """Compare two versions: schema changes, row counts and column statistics."""
    changes = get_client(ctx).datasets.diff(before_id, after_id)
    if as_json:
        return print_json(changes)
    typer.echo(
        f"Version id {before_id} -> {after_id}: rows {changes.rows_before} -> {changes.rows_after}."
    )
    if not changes.columns:
        return typer.echo("No column changed.")
    print_table(changes.columns, CHANGE_COLUMNS)


def _stats_text(stats: dict[str, object] | None) -> str | None:
    if not stats:
        return None
    return ", ".join(f"{key}={_number(value)}" for key, value in stats.items() if value is not None)


def _number(value: object) -> object:
    return f"{value:.4g}" if isinstance(value, float) else value


@app.command("lineage")
def lineage(ctx: typer.Context, version_id: VersionId, as_json: JsonFlag = False) -> None:
    """Show where a version came from (its ancestors, newest first) and which runs used it."""
    trace = get_client(ctx).datasets.lineage(version_id)
    if as_json:
        return print_json(trace)
    typer.echo(f"Version id {version_id}: {version_text(trace.version)}.")
    chain: list[DatasetVersion] = [trace.version, *trace.ancestors]
    print_table(chain, VERSION_COLUMNS)
    runs = ", ".join(str(run_id) for run_id in trace.run_ids)
    typer.echo(f"Used by runs: {runs}." if runs else "Used by no training run yet.")


app.command("profile")(profiles.profile)
app.command("suggestions")(profiles.suggestions)
app.command("report")(profiles.report)
app.command("clean")(profiles.clean)
app.command("sample")(profiles.sample)
