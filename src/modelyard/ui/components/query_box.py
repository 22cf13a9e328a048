"""An SQL editor over the workbench: run a query, page through its result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.entities import QueryResult
from modelyard.ui.components.tables import ROW_KEY, column, display_cell
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded

PAGE_ROWS = 50

OnRun = Callable[[], Awaitable[None]]


def quoted(name: str) -> str:
    """An SQL identifier in double quotes (dataset and column names may hold anything)."""
    return '"' + name.replace('"', '""') + '"'


def select_all(table: str) -> str:
    return f"SELECT * FROM {quoted(table)} LIMIT 100"


class QueryBox:
    """Editor, Run (or Ctrl+Enter), the result one page at a time, and readable errors.

    Paging re-runs the query that produced the result, not whatever the editor holds now.
    ``on_run`` is awaited after every run (the SQL page refreshes its history with it).
    """

    def __init__(self, actor: Actor, *, sql: str, on_run: OnRun | None = None) -> None:
        self._actor = actor
        self._on_run = on_run
        self._sql = sql
        self._offset = 0
        self.editor = (
            ui.codemirror(sql, language="SQL", keymap={"Mod-Enter": self._run_from_start})
            .classes("w-full h-40 border rounded")
            .mark("sql-editor")
        )
        with ui.row().classes("w-full items-center gap-3"):
            ui.button("Run", icon="play_arrow", on_click=self._run_from_start).mark("run-sql")
            ui.label("Ctrl+Enter runs the query").classes("text-grey-6 text-sm")
            ui.space()
            self._status = ui.label().classes("text-grey-8").mark("sql-status")
        self._error = ui.label().classes("text-negative whitespace-pre-wrap").mark("sql-error")
        self._error.set_visibility(False)
        self._table = ui.table(rows=[], columns=[], row_key=ROW_KEY, pagination=0)
        self._table.props("dense flat bordered hide-pagination").classes("w-full")
        self._table.mark("sql-results")
        with ui.row().classes("items-center gap-2") as self._pager:
            self._previous = ui.button(icon="chevron_left", on_click=self._previous_page)
            self._previous.props("flat dense").mark("sql-previous")
            self._page = ui.label().mark("sql-page")
            self._next = ui.button(icon="chevron_right", on_click=self._next_page)
            self._next.props("flat dense").mark("sql-next")
        self._show(None)

    @property
    def sql(self) -> str:
        return self.editor.value or ""

    def set_sql(self, sql: str) -> None:
        self.editor.set_value(sql)

    async def run(self, offset: int = 0) -> None:
        await guarded(self._run, show_in=self._error)(offset)
        if self._on_run is not None:
            await self._on_run()

    async def _run_from_start(self) -> None:
        self._sql = self.sql
        await self.run(0)

    async def _previous_page(self) -> None:
        await self.run(max(0, self._offset - PAGE_ROWS))

    async def _next_page(self) -> None:
        await self.run(self._offset + PAGE_ROWS)

    async def _run(self, offset: int) -> None:
        try:
            result = await call(
                services().workbench.run, self._actor, self._sql, offset=offset, limit=PAGE_ROWS
            )
        except Exception:
            self._show(None)
            raise
        self._offset = offset
        self._show(result)

    def _show(self, result: QueryResult | None) -> None:
        self._table.set_visibility(result is not None)
        self._pager.set_visibility(result is not None and result.total_rows > PAGE_ROWS)
        if result is None:
            self._status.set_text("")
            return
        self._table.columns = [column(name, name) for name in result.columns]
        self._table.rows = [
            {**{k: display_cell(v) for k, v in row.items()}, ROW_KEY: result.offset + i}
            for i, row in enumerate(result.rows)
        ]
        last = result.offset + len(result.rows)
        first = result.offset + 1 if result.rows else 0
        self._status.set_text(
            f"{result.total_rows:,} rows · {result.elapsed_ms:,.0f} ms"
            if result.total_rows
            else f"No rows · {result.elapsed_ms:,.0f} ms"
        )
        self._page.set_text(f"Rows {first:,}-{last:,} of {result.total_rows:,}")
        self._previous.set_enabled(result.offset > 0)
        self._next.set_enabled(last < result.total_rows)
