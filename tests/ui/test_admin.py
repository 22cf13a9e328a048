"""Administration: only admins manage users; every change lands in the audit log."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor, Role
from modelyard.services.container import Services
from tests.factories import PASSWORD, make_user
from tests.ui.conftest import WAIT, eventually, sign_in


def usernames(user: User) -> list[str]:
    (table,) = user.find(kind=ui.table, marker="users").elements
    return [row["username"] for row in table.rows]


async def test_an_admin_adds_a_user_and_sees_it_in_the_audit_log(user: User) -> None:
    await sign_in(user)
    await user.open("/admin")
    assert usernames(user) == ["admin"]
    user.find(marker="new-username").type("vera")
    user.find(marker="new-password").type("password-123")
    user.find(kind=ui.select, marker="new-role").elements.pop().set_value("viewer")
    user.find(marker="add-user").click()
    await eventually(lambda: usernames(user) == ["admin", "vera"])
    await user.open("/admin")
    (audit,) = user.find(kind=ui.table, marker="audit-log").elements
    assert audit.rows[0]["action"] == "user.create"
    assert "username=vera" in audit.rows[0]["details"]


async def test_a_weak_password_is_refused_with_the_reason(user: User) -> None:
    await sign_in(user)
    await user.open("/admin")
    user.find(marker="new-username").type("vera")
    user.find(marker="new-password").type("short")
    user.find(marker="add-user").click()
    await user.should_see("A password needs at least 8 characters.", retries=WAIT)
    assert usernames(user) == ["admin"]


async def test_a_viewer_cannot_see_admin(user: User, app_services: Services, admin: Actor) -> None:
    make_user(app_services, admin, "victor", Role.VIEWER)
    await sign_in(user, "victor", PASSWORD)
    await user.open("/admin")
    await user.should_see("may not list users")
    await user.should_not_see(marker="users")
    await user.should_not_see(marker="audit-log")
