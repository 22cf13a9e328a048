"""Signing in and out of the web UI."""

from __future__ import annotations

from nicegui.testing import User

from modelyard.ui.session import safe_next
from tests.ui.conftest import WAIT, sign_in


async def test_a_wrong_password_shows_a_readable_message(user: User) -> None:
    await user.open("/login")
    user.find(marker="username").type("admin")
    user.find(marker="password").type("not-the-password")
    user.find(marker="sign-in").click()
    await user.should_see("Wrong username or password.", retries=WAIT)
    await user.should_see(marker="login-card")


async def test_signing_in_lands_on_home(user: User) -> None:
    await sign_in(user)
    await user.should_see("Welcome, admin.")
    await user.should_see(marker="count-datasets")


async def test_pages_send_visitors_to_login_and_back(user: User) -> None:
    await user.open("/datasets")
    await user.should_see(marker="login-card")
    user.find(marker="username").type("admin")
    user.find(marker="password").type("admin-password-1")
    user.find(marker="sign-in").click()
    await user.should_see(marker="upload-card", retries=WAIT)


async def test_logging_out_ends_the_session(user: User) -> None:
    await sign_in(user)
    user.find(marker="logout").click()
    await user.should_see(marker="login-card", retries=WAIT)
    await user.open("/")
    await user.should_see(marker="login-card")


def test_signing_in_returns_only_to_local_pages() -> None:
    assert safe_next("/datasets/3?tab=preview") == "/datasets/3?tab=preview"
    for outside in ("https://evil.example", "//evil.example", "/\\evil.example", "", None):
        assert safe_next(outside) == "/"
