"""Datasets: the list with upload, and one dataset's version in tabs.

``/datasets/{id}?version=N&tab=T`` shows version N (default: the latest) on tab T: preview,
schema (and dictionary), profile, quality, versions (and lineage), sql.
"""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Dataset, DatasetVersion
from modelyard.errors import NotFoundError
from modelyard.services.datasets import SAMPLE_NAME, SAMPLE_TARGET
from modelyard.ui.components.dataset_upload import DatasetUpload
from modelyard.ui.components.dictionary_editor import DictionaryEditor
from modelyard.ui.components.profile_tabs import ProfileTabs
from modelyard.ui.components.query_box import QueryBox, select_all
from modelyard.ui.components.tables import Rows, SearchableTable, column, records_table
from modelyard.ui.components.train_form import train_form
from modelyard.ui.components.version_history import version_history
from modelyard.ui.context import call, services
from modelyard.ui.formatting import short_hash, size, when
from modelyard.ui.layout import page
from modelyard.ui.links import DATASET_TABS, dataset_url

PREVIEW_ROWS = 50
MAX_VERSIONS = 500

TAB_LABELS = {
    "preview": ("Preview", "visibility"),
    "schema": ("Schema & dictionary", "schema"),
    "profile": ("Profile", "query_stats"),
    "quality": ("Quality", "verified"),
    "versions": ("Versions & lineage", "account_tree"),
    "sql": ("SQL", "terminal"),
}

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
async def dataset_page(
    actor: Actor, dataset_id: int, version: int | None = None, tab: str = "preview"
) -> None:
    dataset = await call(services().datasets.get, actor, dataset_id)
    listed = await call(services().datasets.list_versions, actor, dataset_id, limit=MAX_VERSIONS)
    versions = listed.items
    _heading(dataset)
    if not versions:
        ui.label("This dataset has no versions yet.")
        return
    selected = _pick(versions, version)
    tab = tab if tab in DATASET_TABS else "preview"
    picker = _version_bar(versions, selected)
    suggested = SAMPLE_TARGET if dataset.name == SAMPLE_NAME else None
    train_form(actor, selected, suggested_target=suggested)
    tabs = await _tabs(actor, dataset, versions, selected, tab)
    picker.on_value_change(
        lambda e: ui.navigate.to(dataset_url(dataset.id, version=e.value, tab=str(tabs.value)))
    )


def _pick(versions: list[DatasetVersion], number: int | None) -> DatasetVersion:
    if number is None:
        return versions[0]  # newest first
    for candidate in versions:
        if candidate.version == number:
            return candidate
    raise NotFoundError(
        f"This dataset has no version {number}; it has versions 1 to {versions[0].version}.",
        code="dataset.version_not_found",
    )


def _open_version(version: DatasetVersion) -> None:
    ui.navigate.to(dataset_url(version.dataset_id))


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


def _version_bar(versions: list[DatasetVersion], selected: DatasetVersion) -> ui.select:
    """The version selector and the selected version's figures."""
    latest = versions[0].version
    options = {
        v.version: f"Version {v.version}" + (" (latest)" if v.version == latest else "")
        for v in versions
    }
    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center gap-8").mark("version-summary"):
            picker = ui.select(options, label="Version", value=selected.version)
            picker.classes("w-48").mark("version-select")
            _figure("Version", str(selected.version), marker="version-number")
            _figure("Rows", f"{selected.n_rows:,}", marker="version-rows")
            _figure("Columns", f"{selected.n_columns:,}", marker="version-columns")
            _figure("Parquet size", size(selected.size_bytes), marker="version-size")
            _figure("Content hash", short_hash(selected.content_hash), marker="version-hash")
            _figure(
                "Created",
                f"{when(selected.created_at)} by {selected.created_by}",
                marker="version-created",
            )
    return picker


def _figure(label: str, value: str, *, marker: str) -> None:
    with ui.column().classes("gap-0").mark(marker):
        ui.label(label).classes("text-grey-7 text-sm")
        ui.label(value).classes("text-xl font-semibold")


async def _tabs(
    actor: Actor,
    dataset: Dataset,
    versions: list[DatasetVersion],
    selected: DatasetVersion,
    tab: str,
) -> ui.tabs:
    with ui.tabs().classes("w-full text-grey-8").props("align=left") as tabs:
        for name, (label, icon) in TAB_LABELS.items():
            ui.tab(name, label=label, icon=icon).props("no-caps").mark(f"tab-{name}")
    tabs.set_value(tab)
    with ui.tab_panels(tabs, value=tab).classes("w-full bg-transparent"):
        panel = {name: ui.tab_panel(name).classes("px-0 gap-4") for name in TAB_LABELS}

    def on_version(created: DatasetVersion, tab: str = "versions") -> None:
        ui.navigate.to(dataset_url(dataset.id, version=created.version, tab=tab))

    with panel["preview"]:
        await _preview(actor, selected)
    with panel["schema"]:
        DictionaryEditor(actor, dataset, selected, lambda v: on_version(v, "schema"))
    profile = ProfileTabs(
        actor,
        selected,
        dataset_name=dataset.name,
        panels=(panel["profile"], panel["quality"]),
        on_version=on_version,
        show_profile_tab=lambda: tabs.set_value("profile"),
    )
    await profile.load()
    with panel["versions"]:
        await version_history(actor, dataset, versions, selected)
    with panel["sql"]:
        _sql(actor, dataset, selected, latest=versions[0].version)
    return tabs


async def _preview(actor: Actor, version: DatasetVersion) -> None:
    preview = await call(services().datasets.preview, actor, version.id, limit=PREVIEW_ROWS)
    ui.label(f"The first {PREVIEW_ROWS} rows of version {version.version}.").classes("text-grey-7")
    records_table(preview, marker="preview")


def _sql(actor: Actor, dataset: Dataset, version: DatasetVersion, *, latest: int) -> None:
    table = dataset.name if version.version == latest else f"{dataset.name}@v{version.version}"
    with ui.row().classes("w-full items-center"):
        ui.label(f'Query this version as the table "{table}".').classes("text-grey-7")
        ui.space()
        ui.link("Open the SQL workbench", "/sql")
    QueryBox(actor, sql=select_all(table))
