"""``client.auth``: log in, who am I, my tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from modelyard.domain import ApiToken, Page, User
from modelyard.sdk.transport import Resource


class LoginToken(BaseModel):
    """A freshly issued API token: the only time its secret is shown."""

    model_config = ConfigDict(frozen=True)

    token: str = Field(repr=False, description="Send as 'Authorization: Bearer <token>'.")
    token_id: int
    expires_at: datetime
    user: User


class Auth(Resource):
    def login(self, username: str, password: str, name: str = "sdk") -> LoginToken:
        """Exchange a username and password for a new API token labelled ``name``."""
        body = {"username": username, "password": password, "name": name}
        return self._send(LoginToken, "POST", "/auth/tokens", json=body)

    def me(self) -> User:
        return self._send(User, "GET", "/auth/me")

    def tokens(self, *, offset: int = 0, limit: int = 50) -> Page[ApiToken]:
        params = {"offset": offset, "limit": limit}
        return self._send(Page[ApiToken], "GET", "/auth/tokens", params=params)

    def revoke(self, token_id: int) -> ApiToken:
        return self._send(ApiToken, "DELETE", f"/auth/tokens/{token_id}")
