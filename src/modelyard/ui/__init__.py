"""The web UI (NiceGUI), mounted on the same FastAPI app as the API.

Pages are thin adapters over the services: ``layout.page`` registers a page for signed-in
users, ``context.call`` runs a service call off the event loop, ``errors`` maps failures to
messages. Reusable widgets live in ``components``; one module per resource in ``pages``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from modelyard.services.container import Services

__all__ = ["mount_ui"]


def mount_ui(app: FastAPI, services: Services, *, storage_secret: str) -> None:
    """Register the pages and mount NiceGUI on ``app`` (after the API routes)."""
    from nicegui import ui
    from nicegui.storage import Storage

    from modelyard.ui import context, pages  # noqa: F401  (importing registers the pages)

    context.set_services(services)
    # Browser sessions (their tokens) live in the data home, not in the working directory.
    Storage.path = services.settings.home / "ui-storage"
    ui.run_with(app, title="Modelyard", storage_secret=storage_secret, show_welcome_message=False)
