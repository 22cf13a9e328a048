"""`modelyard serve` in a real process: ready, healthy, reachable by the SDK, stops on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import modelyard
from tests.cli.conftest import make_invoke
from tests.conftest import ADMIN_PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "modelyard serve exited early"
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url}/readyz did not answer 200 within {timeout_s} s")


def test_serve_starts_answers_and_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELYARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MODELYARD_ENVIRONMENT", "test")
    monkeypatch.setenv("MODELYARD_ADMIN_USER", "admin")
    monkeypatch.setenv("MODELYARD_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("MODELYARD_DASK__N_WORKERS", "1")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "modelyard.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(url, process)
        health = httpx.get(f"{url}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        with modelyard.Client.login(url, "admin", ADMIN_PASSWORD) as sdk:
            assert sdk.auth.me().username == "admin"
    except BaseException:
        sys.stderr.write((tmp_path / "serve.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert process.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
    assert "Application shutdown complete" in (tmp_path / "serve.log").read_text(errors="replace")


def test_several_workers_need_a_shared_dask_scheduler(tmp_path: Path) -> None:
    invoke = make_invoke(None, tmp_path, MODELYARD_DASK_ADDRESS=None, MODELYARD_DASK__ADDRESS=None)

    result = invoke("serve", "--workers", "2")

    assert result.exit_code == 1
    assert "--workers above 1 needs a shared Dask scheduler" in result.stderr


def test_a_bad_setting_is_reported_before_anything_starts(tmp_path: Path) -> None:
    result = make_invoke(None, tmp_path, MODELYARD_LOG_LEVEL="LOUD")("serve")

    assert result.exit_code == 1
    assert "Invalid configuration" in result.stderr and "Unknown log level 'LOUD'" in result.stderr
