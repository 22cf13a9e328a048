"""The UI's one error mapper: how pages and event handlers say no.

Ours (:class:`~modelyard.errors.ModelyardError`) carry a message written for users: it is
shown as it is. Anything else is a bug: its traceback goes to the log and the user sees a
generic message, never the exception text.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec

from nicegui import ui

from modelyard.errors import ModelyardError

log = logging.getLogger(__name__)

P = ParamSpec("P")

GENERIC_MESSAGE = (
    "Something went wrong on our side; the details were logged. "
    "Try again, or ask an administrator to look at the server log."
)


def user_message(exc: Exception) -> str:
    """What to tell the user about ``exc``; unexpected errors are logged with their traceback."""
    if isinstance(exc, ModelyardError):
        return exc.message
    log.error("unexpected error in the web UI", exc_info=exc)
    return GENERIC_MESSAGE


def guarded(
    handler: Callable[P, Awaitable[object] | object], *, show_in: ui.label | None = None
) -> Callable[P, Awaitable[None]]:
    """Wrap an event handler: errors become a notification, or the text of ``show_in``."""

    @functools.wraps(handler)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        if show_in is not None:
            show_in.set_visibility(False)
        try:
            result = handler(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:  # the UI's mapper: every handler error ends here
            message = user_message(exc)
            if show_in is None:
                ui.notify(message, type="negative", multi_line=True)
            else:
                show_in.set_text(message)
                show_in.set_visibility(True)

    return wrapper


@contextmanager
def page_errors() -> Iterator[None]:
    """Render an error met while building a page as a message in the page."""
    try:
        yield
    except Exception as exc:  # the UI's mapper for page building
        message = user_message(exc)
        with ui.card().classes("w-full bg-red-50"):
            with ui.row().classes("items-center gap-2"):
                ui.icon("error_outline", color="negative").classes("text-2xl")
                ui.label(message).classes("text-negative").mark("page-error")
