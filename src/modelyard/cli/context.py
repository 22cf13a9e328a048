"""How commands get their SDK client: injected through ``ctx.obj`` or built from settings.

Tests (and embedding programs) pass ``obj={"client": modelyard.Client(...)}`` to the app;
otherwise the client is built from :class:`~modelyard.settings.ClientSettings` and the
credentials file, once per invocation, and closed when the command ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from modelyard.cli.credentials import connection
from modelyard.settings import ClientSettings

if TYPE_CHECKING:
    from modelyard.sdk import Client


def get_client(ctx: typer.Context) -> Client:
    """The client for this invocation (injected, or from environment and last login)."""
    obj = ctx.find_root().ensure_object(dict)
    if "client" not in obj:
        url, token = connection(ClientSettings())
        obj["client"] = open_client(ctx, url, token)
    client: Client = obj["client"]
    return client


def open_client(ctx: typer.Context, url: str, token: str | None) -> Client:
    """A client for an explicit server and token (login, logout), unless one is injected."""
    root = ctx.find_root()
    if isinstance(root.obj, dict) and "client" in root.obj:
        injected: Client = root.obj["client"]
        return injected
    from modelyard.sdk import Client

    return root.with_resource(Client(url, token))
