"""A real `modelyard serve` process and Debian's headless Chromium driven by Playwright.

The tests are skipped (and the summary says why) when no Chromium is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "e2e-password-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`modelyard serve` on a free port with a fresh data home; its base URL."""
    home = tmp_path_factory.mktemp("e2e-home")
    port = _free_port()
    env = {
        **os.environ,
        "MODELYARD_HOME": str(home),
        "MODELYARD_ADMIN_USER": "admin",
        "MODELYARD_ADMIN_PASSWORD": PASSWORD,
        "MODELYARD_TRAINING__DEFAULT_TIME_BUDGET_S": "30",
        "MODELYARD_TRAINING__DEFAULT_MAX_TRIALS": "3",
    }
    command = [str(Path(sys.executable).parent / "modelyard"), "serve", "--port", str(port)]
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, home)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _wait_ready(base: str, process: subprocess.Popen[bytes], home: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"modelyard serve exited:\n{(home / 'server.log').read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base}/readyz did not answer 200 within 90 s")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped: Playwright's sync API holds an event loop until it stops, which
    must not outlive these tests (the asyncio UI tests run after them)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
