"""The frame every signed-in page shares, and the decorator that registers such pages."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from nicegui import ui
from starlette.responses import RedirectResponse, Response

from modelyard.domain import Actor
from modelyard.domain.approvals import RequestStatus
from modelyard.errors import ModelyardError
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded, page_errors
from modelyard.ui.session import current_actor, sign_out

PRIMARY = "#1f6f5c"

# label, icon, path, and the path prefixes that belong to the entry
NAVIGATION: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Home", "home", "/", ()),
    ("Projects", "folder_open", "/projects", ("/projects",)),
    ("Datasets", "table_chart", "/datasets", ("/datasets",)),
    ("SQL", "terminal", "/sql", ("/sql", "/connections")),
    ("Training", "model_training", "/training", ("/training", "/jobs")),
    ("Models", "inventory_2", "/models", ("/models",)),
    ("Approvals", "fact_check", "/approvals", ("/approvals",)),
    ("Deployments", "rocket_launch", "/deployments", ("/deployments",)),
    ("Monitoring", "monitor_heart", "/monitoring", ("/monitoring",)),
    ("Admin", "admin_panel_settings", "/admin", ("/admin",)),
    ("A/B tests", "compare_arrows", "/ab-tests", ("/ab-tests",)),
)

PageBody = Callable[..., Awaitable[None]]


@contextmanager
def frame(title: str, actor: Actor, *, pending_approvals: int = 0) -> Iterator[None]:
    """Header (app name, user, log out), navigation drawer, and the page's title.

    ``pending_approvals`` is shown as a badge on the Approvals entry when above zero.
    """
    ui.colors(primary=PRIMARY)
    with ui.header(elevated=True).classes("items-center gap-3 px-4 py-2"):
        menu = ui.button(icon="menu").props("flat round color=white aria-label=Menu")
        ui.link("Modelyard", "/").classes("text-xl font-semibold text-white no-underline")
        ui.space()
        ui.icon("account_circle").classes("text-2xl")
        ui.label(f"{actor.username} ({actor.role})").mark("current-user")
        ui.button("Log out", icon="logout", on_click=guarded(_log_out)).props(
            "flat color=white"
        ).mark("logout")
    # open from the start (no round trip to ask the browser for its width); the menu toggles it
    with ui.left_drawer(value=True, bordered=True).classes("bg-grey-1 p-0") as drawer:
        _navigation(ui.context.client.page.path, pending_approvals)
    menu.on_click(drawer.toggle)
    with ui.column().classes("w-full max-w-6xl mx-auto gap-4 p-2"):
        ui.label(title).classes("text-2xl font-semibold").mark("page-title")
        yield


def _navigation(current: str, pending_approvals: int) -> None:
    with ui.list().classes("w-full pt-2").mark("navigation"):
        for label, icon, path, prefixes in NAVIGATION:
            is_active = current == path or any(current.startswith(p) for p in prefixes)
            with (
                ui.item(on_click=lambda path=path: ui.navigate.to(path))
                .props(f"clickable {'active' if is_active else ''}")
                .classes("rounded-r-full mr-2")
                .mark(f"nav-{label.lower()}")
            ):
                with ui.item_section().props("avatar"):
                    ui.icon(icon)
                ui.item_section(label)
                if label == "Approvals" and pending_approvals:
                    with ui.item_section().props("side"):
                        ui.badge(str(pending_approvals), color="orange-8").mark("pending-badge")


async def _pending_approvals(actor: Actor) -> int:
    """How many promotion requests wait for a decision (0 when that cannot be read)."""
    try:
        found = await call(services().approvals.list, actor, status=RequestStatus.PENDING, limit=1)
    except ModelyardError:
        return 0
    return found.total


async def _log_out() -> None:
    await sign_out()
    ui.navigate.to("/login")


def page(path: str, title: str) -> Callable[[PageBody], PageBody]:
    """Register a page for signed-in users: resolve the actor, draw the frame, map errors.

    The body is ``async def body(actor, **path_params)``. Visitors without a valid session
    go to /login and come back here after signing in.
    """

    def register(body: PageBody) -> PageBody:
        parameters = list(inspect.signature(body, eval_str=True).parameters.values())[1:]

        async def handler(**kwargs: Any) -> Response | None:
            actor = await current_actor()
            if actor is None:
                url = ui.context.client.request.url
                here = url.path + (f"?{url.query}" if url.query else "")
                return RedirectResponse(f"/login?next={quote(here)}", status_code=303)
            pending = await _pending_approvals(actor)
            with frame(title, actor, pending_approvals=pending), page_errors():
                await body(actor, **kwargs)
            return None

        handler.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        handler.__name__ = body.__name__
        handler.__qualname__ = body.__qualname__
        handler.__module__ = body.__module__
        handler.__doc__ = body.__doc__
        ui.page(path, title=f"{title} · Modelyard")(handler)
        return body

    return register
