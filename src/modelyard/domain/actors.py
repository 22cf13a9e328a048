"""Who acts, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from modelyard.errors import PermissionDeniedError


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    APPROVER = "approver"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"  # see anything in the workspace, call prediction endpoints
    WRITE = "write"  # the maker: upload, train, register, deploy
    APPROVE = "approve"  # the checker: decide promotion requests
    ADMIN = "admin"  # manage users and the workspace


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.EDITOR: frozenset({Permission.READ, Permission.WRITE}),
    Role.APPROVER: frozenset({Permission.READ, Permission.WRITE, Permission.APPROVE}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user, passed first to every service call."""

    user_id: int
    username: str
    workspace_id: int
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission, action: str) -> None:
        """Raise PermissionDeniedError unless this actor holds ``permission``."""
        if not self.can(permission):
            raise PermissionDeniedError(
                f"Your role '{self.role}' may not {action}; ask an admin for a role with "
                f"'{permission}' permission.",
                code="auth.forbidden",
                details={"role": str(self.role), "needs": str(permission), "action": action},
            )
