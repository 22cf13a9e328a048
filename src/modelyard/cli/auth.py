"""`modelyard login` and `modelyard logout`."""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard.cli.context import open_client
from modelyard.cli.credentials import Credentials, connection, load_credentials, save_credentials
from modelyard.errors import ModelyardError
from modelyard.settings import ClientSettings

URL_HELP = "Server URL (default: MODELYARD_URL, the last login, or http://127.0.0.1:8000)."


def login(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(prompt=True, help="Your user name.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, help="Asked when not given.")
    ],
    url: Annotated[str | None, typer.Option(help=URL_HELP)] = None,
) -> None:
    """Log in: get an API token and keep it (with the URL) in the credentials file."""
    settings = ClientSettings()
    server = url or connection(settings)[0]
    issued = open_client(ctx, server, None).auth.login(username, password, name="cli")
    stored = Credentials(
        url=server, token=issued.token, token_id=issued.token_id, username=issued.user.username
    )
    save_credentials(settings.credentials_file, stored)
    typer.echo(f"Logged in to {server} as {issued.user.username} ({issued.user.role}).")
    if settings.token is not None:
        typer.echo("Note: MODELYARD_TOKEN is set and is used instead of this login.", err=True)


def logout(ctx: typer.Context) -> None:
    """Revoke the stored token and delete the credentials file."""
    path = ClientSettings().credentials_file
    stored = load_credentials(path)
    if stored is None:
        return typer.echo("Not logged in.")
    try:
        if stored.token_id is not None:
            open_client(ctx, stored.url, stored.token).auth.revoke(stored.token_id)
    except ModelyardError as exc:  # logging out locally must work with the server gone
        typer.echo(f"Warning: the token was not revoked on the server: {exc.message}", err=True)
    path.unlink()
    typer.echo(f"Logged out of {stored.url}.")
