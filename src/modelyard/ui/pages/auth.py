"""Signing in."""

from __future__ import annotations

from nicegui import ui

from modelyard.ui.errors import guarded
from modelyard.ui.layout import PRIMARY
from modelyard.ui.session import safe_next, sign_in


@ui.page("/login", title="Sign in · Modelyard")
def login_page(next: str = "/") -> None:
    """``next`` is where to go after signing in (a local path)."""

    async def submit() -> None:
        await sign_in(username.value.strip(), password.value)
        ui.navigate.to(safe_next(next))

    ui.colors(primary=PRIMARY)
    with ui.card().classes("absolute-center w-96 gap-3 p-6").mark("login-card"):
        ui.label("Modelyard").classes("text-2xl font-semibold text-primary")
        ui.label("Sign in to continue.").classes("text-grey-7")
        username = ui.input("Username").props("autofocus").classes("w-full").mark("username")
        password = ui.input("Password", password=True, password_toggle_button=True)
        password.classes("w-full").mark("password")
        error = ui.label().classes("text-negative").mark("login-error")
        error.set_visibility(False)
        handler = guarded(submit, show_in=error)
        password.on("keydown.enter", handler)
        ui.button("Sign in", on_click=handler).classes("w-full").mark("sign-in")
