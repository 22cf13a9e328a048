"""Schema and data dictionary of a dataset version: what each column holds and means.

The dictionary (description, unit, role) belongs to the dataset; type fixes make a new
version of it.
"""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, ColumnInfo, Dataset, DatasetVersion
from modelyard.errors import InvalidInputError
from modelyard.services.dataset_changes import KINDS
from modelyard.ui.components.quality_view import OnVersion
from modelyard.ui.components.tables import Rows, column, plain_table
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded

ROLES = ["feature", "target", "identifier", "timestamp", "weight", "ignore"]
ROWS_PER_PAGE = 25

COLUMNS = [
    column("name", "Column"),
    column("dtype", "Type"),
    column("kind", "Kind"),
    column("missing", "Missing", align="right"),
    {**column("description", "Description"), "style": "white-space: normal; min-width: 16rem"},
    column("unit", "Unit"),
    column("role", "Role"),
]


class DictionaryEditor:
    """The schema table, a form to describe one column, and a form to fix a column's type."""

    def __init__(
        self, actor: Actor, dataset: Dataset, version: DatasetVersion, on_version: OnVersion
    ) -> None:
        self._actor = actor
        self._dataset = dataset
        self._version = version
        self._on_version = on_version
        names = [c.name for c in version.columns]
        self._table = plain_table(
            self._rows(), COLUMNS, row_key="name", marker="schema", rows_per_page=ROWS_PER_PAGE
        )
        with ui.card().classes("w-full gap-2").mark("dictionary-form"):
            ui.label("Describe a column").classes("text-lg font-semibold")
            ui.label("Pick a column (or click its row) and say what it means.").classes(
                "text-grey-7 text-sm"
            )
            with ui.row().classes("w-full items-end gap-3"):
                self._column = ui.select(names, label="Column", with_input=True)
                self._column.classes("w-56").mark("dictionary-column")
                self._description = ui.input("Description").classes("grow")
                self._description.mark("dictionary-description")
                self._unit = ui.input("Unit").classes("w-32").mark("dictionary-unit")
                self._role = ui.select(ROLES, label="Role", clearable=True, new_value_mode="add")
                self._role.classes("w-40").mark("dictionary-role")
                ui.button("Save", icon="save", on_click=guarded(self._save)).mark(
                    "save-dictionary"
                ).bind_enabled_from(self._column, "value", backward=bool)
        self._column.on_value_change(self._fill)
        self._table.on("rowClick", lambda e: self._column.set_value(e.args[1]["name"]))
        self._type_form(names)

    def _rows(self) -> Rows:
        dictionary = self._dataset.dictionary
        empty = ColumnInfo()
        return [
            {
                "name": c.name,
                "dtype": c.dtype,
                "kind": c.kind,
                "missing": c.missing,
                "description": dictionary.get(c.name, empty).description,
                "unit": dictionary.get(c.name, empty).unit,
                "role": dictionary.get(c.name, empty).role,
            }
            for c in self._version.columns
        ]

    def _fill(self) -> None:
        info = self._dataset.dictionary.get(self._column.value or "", ColumnInfo())
        self._description.set_value(info.description)
        self._unit.set_value(info.unit)
        self._role.set_value(info.role or None)

    async def _save(self) -> None:
        info = ColumnInfo(
            description=(self._description.value or "").strip(),
            unit=(self._unit.value or "").strip(),
            role=self._role.value or "",
        )
        name = self._column.value
        self._dataset = await call(
            services().datasets.update_dictionary, self._actor, self._dataset.id, name, info
        )
        self._table.rows = self._rows()
        ui.notify(f"Saved the description of {name}.", type="positive")

    def _type_form(self, names: list[str]) -> None:
        async def fix() -> None:
            if not column_name.value or not kind.value:
                raise InvalidInputError("Pick a column and its new kind.", code="ui.incomplete")
            created = await call(
                services().dataset_changes.change_types,
                self._actor,
                self._version.id,
                {column_name.value: kind.value},
            )
            ui.notify(f"Version {created.version}: {column_name.value} is now {kind.value}")
            self._on_version(created)

        with ui.card().classes("w-full gap-2").mark("fix-types"):
            ui.label("Fix a column's type").classes("text-lg font-semibold")
            ui.label(
                "Makes a new version with the column converted; the change is kept in its lineage."
            ).classes("text-grey-7 text-sm")
            with ui.row().classes("items-end gap-3"):
                column_name = ui.select(names, label="Column", with_input=True).classes("w-56")
                column_name.mark("fix-type-column")
                kind = ui.select(list(KINDS), label="New kind").classes("w-40")
                kind.mark("fix-type-kind")
                ui.button("Create fixed version", icon="build", on_click=guarded(fix)).mark(
                    "fix-type"
                )
