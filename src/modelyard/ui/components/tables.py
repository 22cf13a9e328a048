"""Tables: plain records, and lists whose first column links to a detail page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nicegui import ui

from modelyard.ui.components.badges import COLORS
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import moment_text

Rows = list[dict[str, Any]]
ROW_KEY = "__row_number"  # a key no uploaded column is likely to have


def column(name: str, label: str, *, align: str = "left") -> dict[str, Any]:
    return {"name": name, "label": label, "field": name, "align": align, "sortable": True}


def records_table(
    records: Sequence[dict[str, Any]], *, marker: str, rows_per_page: int = 10
) -> ui.table:
    """Rows as they come (a data preview): one column per key, values shown as text."""
    names = list(records[0]) if records else []
    rows = [
        {**{k: display_cell(v) for k, v in r.items()}, ROW_KEY: i} for i, r in enumerate(records)
    ]
    table = ui.table(
        rows=rows, columns=[column(n, n) for n in names], row_key=ROW_KEY, pagination=rows_per_page
    )
    return table.props("dense flat bordered").classes("w-full").mark(marker)


def plain_table(
    rows: Rows, columns: Rows, *, marker: str, row_key: str = "id", rows_per_page: int | None = None
) -> ui.table:
    """A dense table of prepared rows (all on one page unless ``rows_per_page`` is given)."""
    table = ui.table(rows=rows, columns=columns, row_key=row_key, pagination=rows_per_page)
    return table.props("dense flat bordered").classes("w-full").mark(marker)


def link_table(rows: Rows, columns: Rows, *, href: str, marker: str) -> ui.table:
    """A table whose first column links to ``href``, a JavaScript template over ``props.row``.

    A ``status`` column, when present, is drawn as a coloured badge.
    """
    table = ui.table(rows=with_status_colors(rows), columns=columns, row_key="id", pagination=20)
    table.props("flat bordered").classes("w-full").mark(marker)
    table.add_slot(
        f"body-cell-{columns[0]['name']}",
        f'<q-td :props="props"><a class="text-primary font-medium" :href="{href}">'
        "{{ props.value }}</a></q-td>",
    )
    if any(c["name"] == "status" for c in columns):
        table.add_slot(
            "body-cell-status",
            '<q-td :props="props"><q-badge :color="props.row.status_color" :label="props.value" />'
            "</q-td>",
        )
    return table


def with_status_colors(rows: Rows) -> Rows:
    return [{**row, "status_color": COLORS.get(str(row.get("status")), "grey-7")} for row in rows]


class SearchableTable:
    """A search field over a link table; ``load(search)`` returns the matching rows.

    ``toolbar`` is the row holding the search field: pages add their actions to it.
    """

    def __init__(
        self,
        load: Callable[[str | None], Awaitable[Rows]],
        *,
        columns: Rows,
        href: str,
        marker: str,
        empty_text: str,
    ) -> None:
        self._load = load
        with ui.row().classes("w-full items-center gap-3") as self.toolbar:
            self._search = ui.input(placeholder="Search by name or description")
            self._search.props("clearable outlined dense debounce=300").classes("w-96")
            ui.space()
        self._search.on_value_change(guarded(self.refresh))
        self._search.mark(f"{marker}-search")
        self._table = link_table([], columns, href=href, marker=marker)
        self._empty = ui.label(empty_text).classes("text-grey-7").mark(f"{marker}-empty")

    async def refresh(self) -> None:
        rows = await self._load((self._search.value or "").strip() or None)
        self._table.rows = with_status_colors(rows)
        self._table.set_visibility(bool(rows))
        self._empty.set_visibility(not rows)


def display_cell(value: Any) -> Any:
    """A value as a table cell: numbers and booleans as they are, timestamps shortened."""
    if isinstance(value, str):
        return moment_text(value)
    return value if isinstance(value, int | float | bool) or value is None else str(value)
