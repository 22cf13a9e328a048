"""Administration: users, approval policies and the audit log (admins only)."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor, Role
from modelyard.ui.components.policy_editor import policy_editors
from modelyard.ui.components.tables import column, plain_table
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.layout import page

AUDIT_EVENTS = 100

USER_COLUMNS = [
    column("username", "Username"),
    column("role", "Role"),
    column("is_active", "Active"),
    column("created_at", "Created"),
]
AUDIT_COLUMNS = [
    column("created_at", "When"),
    column("actor_name", "Who"),
    column("action", "Action"),
    column("resource", "Resource"),
    {**column("details", "Details"), "style": "white-space: normal; min-width: 20rem"},
]


@page("/admin", "Admin")
async def admin_page(actor: Actor) -> None:
    rows = await _user_rows(actor)  # the service says whether this actor may see users
    ui.label("Users").classes("text-lg font-semibold")
    users = plain_table(rows, USER_COLUMNS, marker="users")
    _create_user_form(actor, users)
    ui.label("Approval policies").classes("text-lg font-semibold pt-4")
    await policy_editors(actor)
    await _audit_log(actor)


async def _audit_log(actor: Actor) -> None:
    events = await call(services().audit.list, actor, limit=AUDIT_EVENTS)
    ui.label("Audit log").classes("text-lg font-semibold pt-4")
    rows = [
        {
            "id": e.id,
            "created_at": when(e.created_at),
            "actor_name": e.actor_name,
            "action": e.action,
            "resource": f"{e.resource_type} {e.resource_id}",
            "details": ", ".join(f"{k}={v}" for k, v in e.details.items())[:200],
        }
        for e in events.items
    ]
    plain_table(rows, AUDIT_COLUMNS, marker="audit-log", rows_per_page=20)


async def _load_users(actor: Actor, table: ui.table) -> None:
    table.rows = await _user_rows(actor)


async def _user_rows(actor: Actor) -> list[dict[str, object]]:
    found = await call(services().users.list, actor, limit=500)
    return [
        {
            "id": u.id,
            "username": u.username,
            "role": u.role.value,
            "is_active": "yes" if u.is_active else "no",
            "created_at": when(u.created_at),
        }
        for u in found.items
    ]


def _create_user_form(actor: Actor, users: ui.table) -> None:
    async def create() -> None:
        user = await call(
            services().users.create,
            actor,
            username.value.strip(),
            password.value,
            Role(role.value),
        )
        ui.notify(f"Created {user.username} ({user.role})", type="positive")
        username.set_value("")
        password.set_value("")
        await _load_users(actor, users)

    with ui.card().classes("w-full gap-2").mark("create-user"):
        ui.label("Add a user").classes("text-lg font-semibold")
        with ui.row().classes("items-end gap-3"):
            username = ui.input("Username").mark("new-username")
            password = ui.input("Password", password=True).mark("new-password")
            role = ui.select([r.value for r in Role], label="Role", value=Role.EDITOR.value)
            role.classes("w-40").mark("new-role")
            ui.button("Add user", icon="person_add", on_click=guarded(create)).mark("add-user")
