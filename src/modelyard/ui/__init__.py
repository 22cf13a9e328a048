"""The web UI (NiceGUI), mounted on the same FastAPI app as the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from modelyard.services.container import Services

__all__ = ["mount_ui"]


def mount_ui(app: FastAPI, services: Services, *, storage_secret: str) -> None:
    """Register the pages and mount NiceGUI on ``app``."""
    from nicegui import ui

    from modelyard.ui import context, pages  # noqa: F401  (importing registers the pages)

    context.set_services(services)
    ui.run_with(app, title="Modelyard", storage_secret=storage_secret, show_welcome_message=False)
