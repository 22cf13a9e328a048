"""``client.users``: the users of my workspace."""

from __future__ import annotations

from modelyard.domain import Page, Role, User
from modelyard.sdk.transport import Resource


class Users(Resource):
    def list(self, *, offset: int = 0, limit: int = 50) -> Page[User]:
        params = {"offset": offset, "limit": limit}
        return self._send(Page[User], "GET", "/users", params=params)

    def create(self, username: str, password: str, role: Role | str = Role.EDITOR) -> User:
        """Create a user (admins only)."""
        body = {"username": username, "password": password, "role": str(role)}
        return self._send(User, "POST", "/users", json=body)
