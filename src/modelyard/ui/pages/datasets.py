"""Datasets: the list with upload, and one dataset with its versions, schema and preview."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Dataset, DatasetVersion
from modelyard.services.datasets import SAMPLE_NAME, SAMPLE_TARGET
from modelyard.ui.components.cards import stat_card
from modelyard.ui.components.dataset_upload import DatasetUpload
from modelyard.ui.components.tables import (
    Rows,
    SearchableTable,
    column,
    plain_table,
    records_table,
)
from modelyard.ui.components.train_form import train_form
from modelyard.ui.context import call, services
from modelyard.ui.formatting import short_hash, size, when
from modelyard.ui.layout import page

PREVIEW_ROWS = 50

COLUMNS = [
    column("name", "Name"),
    column("version", "Latest version", align="right"),
    column("rows", "Rows", align="right"),
    column("columns", "Columns", align="right"),
    column("created_by", "Created by"),
    column("created_at", "Created"),
]


@page("/datasets", "Datasets")
async def datasets_page(actor: Actor) -> None:
    max_bytes = services().settings.artifacts.max_upload_bytes
    DatasetUpload(actor, max_bytes=max_bytes, on_done=_open_version)

    async def load(search: str | None) -> Rows:
        found = await call(services().datasets.list, actor, search=search, limit=200)
        return [_row(dataset) for dataset in found.items]

    table = SearchableTable(
        load,
        columns=COLUMNS,
        href="'/datasets/' + props.row.id",
        marker="datasets",
        empty_text="No datasets yet: upload a table above.",
    )
    await table.refresh()


@page("/datasets/{dataset_id}", "Dataset")
async def dataset_page(actor: Actor, dataset_id: int) -> None:
    dataset = await call(services().datasets.get, actor, dataset_id)
    version = dataset.latest_version
    _heading(dataset)
    if version is None:
        ui.label("This dataset has no versions yet.")
        return
    _version_summary(version)
    suggested = SAMPLE_TARGET if dataset.name == SAMPLE_NAME else None
    train_form(actor, version, suggested_target=suggested)
    _schema(version)
    await _preview(actor, version)
    await _versions(actor, dataset)


def _open_version(version: DatasetVersion) -> None:
    ui.navigate.to(f"/datasets/{version.dataset_id}")


def _row(dataset: Dataset) -> dict[str, object]:
    latest = dataset.latest_version
    return {
        "id": dataset.id,
        "name": dataset.name,
        "version": latest.version if latest else "-",
        "rows": latest.n_rows if latest else "-",
        "columns": latest.n_columns if latest else "-",
        "created_by": dataset.created_by,
        "created_at": when(dataset.created_at),
    }


def _heading(dataset: Dataset) -> None:
    ui.label(dataset.name).classes("text-xl font-semibold").mark("dataset-name-heading")
    if dataset.description:
        ui.label(dataset.description).classes("text-grey-8")


def _version_summary(version: DatasetVersion) -> None:
    with ui.row().classes("gap-4").mark("version-summary"):
        stat_card("Version", version.version, icon="layers", marker="version-number")
        stat_card("Rows", f"{version.n_rows:,}", icon="table_rows", marker="version-rows")
        stat_card("Columns", version.n_columns, icon="view_column", marker="version-columns")
        stat_card("Parquet size", size(version.size_bytes), icon="save", marker="version-size")
        stat_card(
            "Content hash",
            short_hash(version.content_hash),
            icon="fingerprint",
            marker="version-hash",
        )


def _schema(version: DatasetVersion) -> None:
    rows = [
        {"name": c.name, "dtype": c.dtype, "kind": c.kind, "missing": c.missing}
        for c in version.columns
    ]
    columns = [
        column("name", "Column"),
        column("dtype", "Type"),
        column("kind", "Kind"),
        column("missing", "Missing", align="right"),
    ]
    with ui.expansion("Schema", icon="schema", value=True).classes("w-full"):
        plain_table(rows, columns, row_key="name", marker="schema")


async def _preview(actor: Actor, version: DatasetVersion) -> None:
    preview = await call(services().datasets.preview, actor, version.id, limit=PREVIEW_ROWS)
    title = f"Preview (first {PREVIEW_ROWS} rows)"
    with ui.expansion(title, icon="visibility", value=True).classes("w-full"):
        records_table(preview, marker="preview")


async def _versions(actor: Actor, dataset: Dataset) -> None:
    versions = (await call(services().datasets.list_versions, actor, dataset.id)).items
    rows = [
        {
            "id": v.id,
            "version": v.version,
            "rows": v.n_rows,
            "hash": short_hash(v.content_hash),
            "source": str(v.source.get("filename", v.source.get("type", "-"))),
            "created_by": v.created_by,
            "created_at": when(v.created_at),
        }
        for v in versions
    ]
    columns = [
        column("version", "Version"),
        column("rows", "Rows", align="right"),
        column("hash", "Hash"),
        column("source", "Source"),
        column("created_by", "Created by"),
        column("created_at", "Created"),
    ]
    with ui.expansion("Versions", icon="history", value=True).classes("w-full"):
        plain_table(rows, columns, marker="versions")
