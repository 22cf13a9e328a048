"""A dataset's versions, where the selected one came from, and what changed between two."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain import Actor, Dataset, DatasetVersion, VersionDiff
from modelyard.ui.components.cards import section, stat_card
from modelyard.ui.components.tables import column, link_table, plain_table
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import number, short_hash, size, source, step, when
from modelyard.ui.links import job_url

RUNS_SHOWN = 10
CHANGE_COLORS = {
    "added": "positive",
    "removed": "negative",
    "type_changed": "orange-8",
    "changed": "blue-7",
}
STAT_KEYS = ("type", "missing", "distinct", "mean", "min", "max")

VERSION_COLUMNS = [
    column("version", "Version"),
    column("shown", ""),
    column("rows", "Rows", align="right"),
    column("columns", "Columns", align="right"),
    column("source", "Source"),
    column("size", "Size", align="right"),
    column("hash", "Hash"),
    column("created_by", "Created by"),
    column("created_at", "Created"),
]


async def version_history(
    actor: Actor, dataset: Dataset, versions: list[DatasetVersion], selected: DatasetVersion
) -> None:
    _versions_table(dataset, versions, selected)
    await _lineage(actor, selected)
    DiffView(actor, versions, selected)


def _versions_table(
    dataset: Dataset, versions: list[DatasetVersion], selected: DatasetVersion
) -> None:
    latest = versions[0].version
    rows = [
        {
            "id": v.id,
            "version": v.version,
            "shown": "viewing"
            if v.id == selected.id
            else ("latest" if v.version == latest else ""),
            "rows": f"{v.n_rows:,}",
            "columns": v.n_columns,
            "source": source(v.source),
            "size": size(v.size_bytes),
            "hash": short_hash(v.content_hash),
            "created_by": v.created_by,
            "created_at": when(v.created_at),
        }
        for v in versions
    ]
    href = f"'/datasets/{dataset.id}?tab=versions&version=' + props.row.version"
    link_table(rows, VERSION_COLUMNS, href=href, marker="versions")


async def _lineage(actor: Actor, selected: DatasetVersion) -> None:
    lineage = await call(services().dataset_changes.lineage, actor, selected.id)
    with section(f"Lineage of version {selected.version}", "account_tree", marker="lineage"):
        with ui.timeline(side="right").classes("w-full"):
            for version in [lineage.version, *lineage.ancestors]:
                _lineage_entry(version)
        await _runs(actor, lineage.run_ids)


def _lineage_entry(version: DatasetVersion) -> None:
    origin = version.source
    with ui.timeline_entry(
        subtitle=f"{when(version.created_at)} by {version.created_by}",
        icon="layers" if origin.get("type") == "derived" else "upload_file",
    ).mark(f"lineage-version-{version.version}"):
        ui.label(f"Version {version.version}").classes("text-base font-semibold")
        ui.label(f"{version.n_rows:,} rows, {version.n_columns} columns; {source(origin)}").classes(
            "text-grey-8"
        )
        for item in origin.get("steps") or []:
            with ui.row().classes("items-center gap-2 no-wrap"):
                ui.icon("arrow_right", color="primary")
                ui.label(step(item)).classes("text-sm").mark("lineage-step")
        if origin.get("sql"):
            ui.code(str(origin["sql"]), language="sql").classes("w-full text-xs")


async def _runs(actor: Actor, run_ids: list[int]) -> None:
    if not run_ids:
        ui.label("No training run has used this version yet.").classes("text-grey-7 text-sm")
        return
    ui.label(f"Used by {len(run_ids)} training run(s)").classes("font-medium")
    for run_id in run_ids[:RUNS_SHOWN]:
        run = await call(services().training.get_run, actor, run_id)
        ui.link(
            f"Run {run.id}: {run.algorithm} predicting '{run.target}' ({when(run.created_at)})",
            job_url(run.job_id),
        ).mark(f"lineage-run-{run.id}")


class DiffView:
    """Pick two versions; see rows and each changed column before and after, side by side."""

    def __init__(
        self, actor: Actor, versions: list[DatasetVersion], selected: DatasetVersion
    ) -> None:
        self._actor = actor
        options = {v.id: f"Version {v.version}" for v in versions}
        older = [v.id for v in versions if v.version < selected.version]
        before = selected.parent_version_id if selected.parent_version_id in options else None
        with section("Compare versions", "compare_arrows", marker="diff"):
            if len(versions) < 2:
                ui.label("There is one version so far: nothing to compare.").classes("text-grey-7")
                return
            with ui.row().classes("items-end gap-3"):
                self._before = ui.select(
                    options, label="Before", value=before or (older[0] if older else None)
                )
                self._before.classes("w-40").mark("diff-before")
                self._after = ui.select(options, label="After", value=selected.id)
                self._after.classes("w-40").mark("diff-after")
                ui.button("Compare", icon="compare_arrows", on_click=guarded(self._compare)).mark(
                    "compare-versions"
                )
            self._result = ui.column().classes("w-full gap-3")

    async def _compare(self) -> None:
        diff = await call(
            services().dataset_changes.diff, self._actor, self._before.value, self._after.value
        )
        self._result.clear()
        with self._result:
            diff_view(diff)


def diff_view(diff: VersionDiff) -> None:
    delta = diff.rows_after - diff.rows_before
    with ui.row().classes("gap-4 items-center"):
        stat_card("Rows before", f"{diff.rows_before:,}", icon="table_rows", marker="rows-before")
        ui.icon("arrow_forward").classes("text-2xl text-grey-6")
        stat_card("Rows after", f"{diff.rows_after:,}", icon="table_rows", marker="rows-after")
        ui.label(f"{delta:+,} rows").classes("text-lg text-grey-8")
    if not diff.columns:
        ui.label("No column changed.").classes("text-grey-7").mark("diff-no-change")
        return
    rows = [
        {
            "id": change.name,
            "name": change.name,
            "change": change.change.replace("_", " "),
            "color": CHANGE_COLORS.get(change.change, "grey-7"),
            "before": _stats(change.before),
            "after": _stats(change.after),
        }
        for change in diff.columns
    ]
    wide = {"style": "white-space: normal; min-width: 18rem"}
    columns = [
        column("name", "Column"),
        column("change", "Change"),
        {**column("before", "Before"), **wide},
        {**column("after", "After"), **wide},
    ]
    table = plain_table(rows, columns, marker="diff-columns", rows_per_page=25)
    table.add_slot(
        "body-cell-change",
        '<q-td :props="props"><q-badge :color="props.row.color" :label="props.value" /></q-td>',
    )


def _stats(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "-"
    return " · ".join(f"{k} {number(stats[k])}" for k in STAT_KEYS if stats.get(k) is not None)
