"""Browser sessions: a session token from the users service, kept in ``app.storage.user``."""

from __future__ import annotations

from nicegui import app

from modelyard.domain import Actor
from modelyard.errors import AuthenticationError
from modelyard.ui.context import call, services

TOKEN_KEY = "token"


async def sign_in(username: str, password: str) -> None:
    """Check the credentials (AuthenticationError when wrong) and remember the session."""
    issued = await call(
        services().users.issue_token, username, password, name="browser", kind="session"
    )
    app.storage.user[TOKEN_KEY] = issued.token


async def current_actor() -> Actor | None:
    """Who this browser is signed in as; None when not signed in or the session ended."""
    token = app.storage.user.get(TOKEN_KEY)
    if not token:
        return None
    try:
        return await call(services().users.resolve_token, token)
    except AuthenticationError:  # expired or revoked: sign in again
        app.storage.user.pop(TOKEN_KEY, None)
        return None


async def sign_out() -> None:
    """End the session on the server and in this browser."""
    token = app.storage.user.pop(TOKEN_KEY, None)
    if token:
        await call(services().users.revoke_session, token)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a local path only (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
