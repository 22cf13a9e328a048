"""The services the pages use. NiceGUI is process-global, so this is too."""

from __future__ import annotations

from modelyard.services.container import Services

_services: Services | None = None


def set_services(services: Services) -> None:
    global _services
    _services = services


def services() -> Services:
    if _services is None:
        raise RuntimeError("the UI was not mounted: call modelyard.ui.mount_ui first")
    return _services
