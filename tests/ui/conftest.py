"""UI tests: NiceGUI's ``user`` fixture runs tests/ui/main.py against real services."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.services.container import Services
from modelyard.ui.context import services as ui_services
from tests.conftest import ADMIN_PASSWORD, fresh_home
from tests.ui import runtime

# should_see polls every 0.1 s and returns as soon as it sees; generous limits keep the
# tests steady on a busy machine without slowing them down on a quiet one.
WAIT = 200
TRAINING_WAIT = 1200


@pytest.fixture(autouse=True)
def keep_parent_packages() -> Iterator[None]:
    """Give back ``modelyard`` and ``modelyard.ui`` after each test.

    To re-register pages for the next test, NiceGUI's ``user`` fixture drops the modules of
    page functions from ``sys.modules`` on teardown, and their parent packages with them. A
    re-imported ``modelyard`` would lack its sub-packages as attributes (``modelyard.db``);
    only ``modelyard.ui.pages`` needs importing again.
    """
    kept = {name: sys.modules[name] for name in ("modelyard", "modelyard.ui")}
    yield
    sys.modules.update(kept)


@pytest.fixture(autouse=True)
def ui_runtime(dask_compute: DaskCompute, tmp_path: Path, mlflow_template: Path) -> None:
    """One Dask cluster for the session; a fresh data home (empty database) per test."""
    runtime.compute = dask_compute
    runtime.home = fresh_home(tmp_path / "home", mlflow_template)


@pytest.fixture
def app_services(user: User) -> Services:
    """The services behind the pages of this test's app."""
    return ui_services()


@pytest.fixture
def admin(app_services: Services) -> Actor:
    issued = app_services.users.issue_token("admin", ADMIN_PASSWORD)
    return app_services.users.resolve_token(issued.token)


async def sign_in(user: User, username: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    await user.open("/login")
    user.find(marker="username").type(username)
    user.find(marker="password").type(password)
    user.find(marker="sign-in").click()
    await user.should_see(marker="current-user", retries=WAIT)


async def eventually(check: Callable[[], bool], *, timeout_s: float = 20.0) -> None:
    """Wait until ``check()`` holds (pages update from background tasks)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s")
        await asyncio.sleep(0.05)
