"""Saved SQL database connections, and queries on them imported as dataset versions."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.entities import ConnectionInfo
from modelyard.ui.components.cards import section
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.layout import page
from modelyard.ui.links import dataset_url

MAX_CONNECTIONS = 200


@page("/connections", "Database connections")
async def connections_page(actor: Actor) -> None:
    ui.label(
        "Queries on these databases run read-only; their results become dataset versions. "
        "Passwords are stored encrypted and never shown."
    ).classes("text-grey-7")
    listing = ConnectionList(actor)
    await listing.refresh()
    _add_form(actor, listing)
    listing.import_form()


class ConnectionList:
    """The saved connections (URL with the password hidden), each with a delete button."""

    def __init__(self, actor: Actor) -> None:
        self._actor = actor
        self._connections: list[ConnectionInfo] = []
        with section("Connections", "storage", marker="connections"):
            self._list = ui.column().classes("w-full gap-1")
        self._choice: ui.select | None = None

    async def refresh(self) -> None:
        page_ = await call(services().connections.list, self._actor, limit=MAX_CONNECTIONS)
        self._connections = page_.items
        self._list.clear()
        with self._list:
            if not self._connections:
                ui.label("No connections yet: add one below.").classes("text-grey-7").mark(
                    "connections-empty"
                )
            for connection in self._connections:
                self._row(connection)
        if self._choice is not None:
            options = {c.id: c.name for c in self._connections}
            kept = self._choice.value if self._choice.value in options else None
            self._choice.set_options(options, value=kept or next(iter(options), None))

    def _row(self, connection: ConnectionInfo) -> None:
        async def delete() -> None:
            await call(services().connections.delete, self._actor, connection.id)
            ui.notify(f"Removed the connection {connection.name}.")
            await self.refresh()

        with ui.row().classes("w-full items-center gap-3").mark(f"connection-{connection.name}"):
            ui.icon("storage", color="primary")
            ui.label(connection.name).classes("font-semibold w-40 truncate")
            origin = f"from ${connection.url_env_var}: " if connection.url_env_var else ""
            ui.label(origin + connection.url_display).classes("font-mono text-sm grow truncate")
            ui.label(f"{connection.created_by}, {when(connection.created_at)}").classes(
                "text-grey-7 text-sm"
            )
            ui.button(icon="delete", on_click=guarded(delete)).props(
                "flat round color=negative"
            ).mark(f"delete-connection-{connection.name}")

    def import_form(self) -> None:
        async def run_import() -> None:
            version = await call(
                services().connections.import_query,
                self._actor,
                choice.value,
                sql.value or "",
                (name.value or "").strip(),
            )
            ui.notify(f"Imported {version.n_rows:,} rows as version {version.version}")
            ui.navigate.to(dataset_url(version.dataset_id, version=version.version))

        with section("Import a query", "download", marker="import-form"):
            ui.label(
                "One reading query (SELECT or WITH); its result becomes a dataset version."
            ).classes("text-grey-7 text-sm")
            with ui.row().classes("w-full items-end gap-3"):
                options = {c.id: c.name for c in self._connections}
                choice = ui.select(options, label="Connection", value=next(iter(options), None))
                choice.classes("w-56").mark("import-connection")
                name = ui.input("Dataset name").classes("w-56").mark("import-name")
            sql = ui.codemirror("SELECT * FROM ", language="SQL").classes("w-full h-32 border")
            sql.mark("import-sql")
            ui.button("Import", icon="download", on_click=guarded(run_import)).mark("import-query")
        self._choice = choice


def _add_form(actor: Actor, listing: ConnectionList) -> None:
    async def add() -> None:
        created = await call(
            services().connections.create,
            actor,
            (name.value or "").strip(),
            url=(url.value or "").strip() or None,
            env_var=(env_var.value or "").strip() or None,
        )
        ui.notify(f"Saved the connection {created.name}.", type="positive")
        for field in (name, url, env_var):
            field.set_value("")
        await listing.refresh()

    with section("Add a connection", "add_link", marker="add-connection-form"):
        ui.label(
            "A SQLAlchemy URL (e.g. postgresql+psycopg://user:password@host/db, "
            "sqlite:////path/file.db), or the name of an environment variable on the server "
            "that holds one."
        ).classes("text-grey-7 text-sm")
        with ui.row().classes("w-full items-end gap-3"):
            name = ui.input("Name").classes("w-48").mark("connection-name")
            url = ui.input("URL", password=True, password_toggle_button=True).classes("grow")
            url.mark("connection-url")
            ui.label("or").classes("text-grey-7")
            env_var = ui.input("Environment variable").classes("w-56").mark("connection-env")
            ui.button("Add", icon="add", on_click=guarded(add)).mark("add-connection")
