"""The SQL workbench: read-only queries over the workspace's datasets, kept as new datasets."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.entities import SavedQuery
from modelyard.ui.components.cards import section
from modelyard.ui.components.query_box import OnRun, QueryBox, quoted, select_all
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.layout import page
from modelyard.ui.links import dataset_url

HISTORY = 10
EXPANDED_TABLES = 3
SQL_SHOWN = 160
SCROLLING = "w-full max-h-96 overflow-auto"


@page("/sql", "SQL")
async def sql_page(actor: Actor) -> None:
    tables = await call(services().workbench.tables, actor)
    with ui.row().classes("w-full gap-4 no-wrap items-start"):
        tree_box = ui.column().classes("w-64 shrink-0")
        with ui.column().classes("grow min-w-0 gap-3"):

            async def refresh_lists() -> None:
                await queries.refresh()

            first = next((name for name in tables if "@v" not in name), None)
            box = QueryBox(actor, sql=select_all(first) if first else "", on_run=refresh_lists)
            _save_forms(actor, box, refresh_lists)
            queries = QueryLists(actor, load=box.set_sql)
    with tree_box:
        _table_tree(tables, box)
        with ui.link(target="/connections").classes("no-underline text-primary"):
            with ui.row().classes("items-center gap-1 px-2"):
                ui.icon("storage")
                ui.label("Import from a database")
    await queries.refresh()


def _table_tree(tables: dict[str, list[str]], box: QueryBox) -> None:
    """The datasets as tables (latest versions; ``name@vN`` reads version N) and their columns."""

    def insert(node_id: str | None) -> None:
        tree.props(remove="selected")  # a second click on the same name inserts it again
        if not node_id:
            return
        name = node_id.split("\x00")[-1]
        if not box.sql.strip():
            box.set_sql(select_all(name))
        else:
            box.set_sql(f"{box.sql.rstrip()} {quoted(name)}")

    with ui.card().classes("w-full gap-1").mark("sql-tables"):
        ui.label("Tables").classes("text-lg font-semibold")
        latest = [name for name in tables if "@v" not in name]
        if not latest:
            ui.label("No datasets yet.").classes("text-grey-7")
            return
        ui.label('Click a name to insert it. "name@v2" reads version 2.').classes(
            "text-grey-7 text-xs"
        )
        nodes = [
            {
                "id": name,
                "label": name,
                "children": [{"id": f"{name}\x00{c}", "label": c} for c in tables[name]],
            }
            for name in latest
        ]
        tree = ui.tree(nodes, on_select=lambda e: insert(e.value)).props("dense")
        tree.mark("sql-tree")
        if len(nodes) <= EXPANDED_TABLES:
            tree.expand()


def _save_forms(actor: Actor, box: QueryBox, refresh_lists: OnRun) -> None:
    async def save_result() -> None:
        version = await call(
            services().workbench.save_result, actor, box.sql, (result_name.value or "").strip()
        )
        ui.notify(f"Saved as version {version.version}: {version.n_rows:,} rows", type="positive")
        ui.navigate.to(dataset_url(version.dataset_id, version=version.version))

    async def save_query() -> None:
        saved = await call(
            services().workbench.save_query, actor, (query_name.value or "").strip(), box.sql
        )
        ui.notify(f"Saved the query '{saved.name}'.", type="positive")
        query_name.set_value("")
        await refresh_lists()

    with ui.row().classes("w-full items-end gap-x-8 gap-y-2"):
        with ui.row().classes("items-end gap-3 no-wrap"):
            result_name = ui.input("Dataset name").classes("w-48").mark("result-name")
            save = ui.button("Save result as dataset", icon="save_alt")
            save.on_click(guarded(save_result))
            save.props("outline").classes("shrink-0").mark("save-result")
        with ui.row().classes("items-end gap-3 no-wrap"):
            query_name = ui.input("Query name").classes("w-40").mark("query-name")
            keep = ui.button("Save query", icon="bookmark_add", on_click=guarded(save_query))
            keep.props("outline").classes("shrink-0").mark("save-query")


class QueryLists:
    """My recent queries and the workspace's saved ones; a click loads one into the editor."""

    def __init__(self, actor: Actor, *, load: Callable[[str], None]) -> None:
        self._actor = actor
        self._load = load
        with ui.grid().classes("w-full grid-cols-1 lg:grid-cols-2 gap-3"):
            with section("Saved queries", "bookmarks", marker="saved-queries"):
                self._saved = ui.list().props("dense separator").classes(SCROLLING)
            with section("History", "history", marker="query-history"):
                self._history = ui.list().props("dense separator").classes(SCROLLING)

    async def refresh(self) -> None:
        workbench = services().workbench
        saved = await call(workbench.history, self._actor, is_saved=True, limit=HISTORY)
        recent = await call(workbench.history, self._actor, is_saved=False, limit=HISTORY)
        self._fill(self._saved, saved.items, "saved", "No saved queries yet.")
        self._fill(self._history, recent.items, "history", "Queries you run appear here.")

    def _fill(self, target: ui.element, queries: list[SavedQuery], kind: str, empty: str) -> None:
        target.clear()
        with target:
            if not queries:
                ui.label(empty).classes("text-grey-7 text-sm p-2")
            for query in queries:
                self._item(query, kind)

    def _item(self, query: SavedQuery, kind: str) -> None:
        item = ui.item(on_click=lambda: self._load(query.sql)).props("clickable")
        with item.mark(f"{kind}-{query.id}"):
            with ui.item_section():
                if query.name:
                    ui.item_label(query.name).classes("font-medium")
                sql = " ".join(query.sql.split())
                ui.item_label(sql[:SQL_SHOWN] + ("..." if len(sql) > SQL_SHOWN else "")).classes(
                    "font-mono text-xs"
                )
                ui.item_label(_outcome(query)).props("caption")


def _outcome(query: SavedQuery) -> str:
    if query.status == "error":
        return f"{when(query.created_at)} · error: {query.error or ''}"
    if query.status == "ok":
        return f"{when(query.created_at)} · {query.row_count:,} rows · {query.elapsed_ms:,.0f} ms"
    return when(query.created_at)
