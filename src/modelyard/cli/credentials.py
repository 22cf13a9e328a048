"""Where `modelyard login` keeps the server URL and token, and which ones a command uses.

The credentials file (default ``~/.modelyard/credentials.json``, mode 0600) holds the URL
and token of the last login. ``MODELYARD_URL`` and ``MODELYARD_TOKEN`` override it; a
stored token is only ever sent to the URL it was issued by.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from modelyard.errors import InvalidInputError
from modelyard.settings import ClientSettings


class Credentials(BaseModel):
    url: str
    token: str = Field(repr=False)
    token_id: int | None = None
    username: str = ""


def load_credentials(path: Path) -> Credentials | None:
    if not path.exists():
        return None
    try:
        return Credentials.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:
        raise InvalidInputError(
            f"Cannot read the credentials file {path}: log in again with `modelyard login` "
            "(or delete the file).",
            code="cli.bad_credentials",
        ) from exc


def save_credentials(path: Path, credentials: Credentials) -> None:
    """Write the file readable by its owner only (0600), replacing any previous login."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(credentials.model_dump_json(indent=2))
    partial.replace(path)


def connection(settings: ClientSettings) -> tuple[str, str | None]:
    """The URL and token to use: environment first, then the last login, then defaults."""
    stored = load_credentials(settings.credentials_file)
    url = stored.url if stored is not None and not settings.is_url_set else settings.url
    if settings.token is not None:
        return url, settings.token.get_secret_value()
    if stored is not None and stored.url.rstrip("/") == url.rstrip("/"):
        return url, stored.token
    return url, None
