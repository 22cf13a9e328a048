"""Modelyard: a self-hosted ML platform for tabular data.

The public entry point for scripts and notebooks is :class:`modelyard.Client`, an HTTP
client over the REST API. Everything else lives in sub-packages by layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Client", "__version__"]

if TYPE_CHECKING:
    from modelyard.sdk.client import Client


def __getattr__(name: str) -> Any:
    if name == "Client":  # imported on first use so `import modelyard` stays instant
        from modelyard.sdk.client import Client

        return Client
    raise AttributeError(name)
