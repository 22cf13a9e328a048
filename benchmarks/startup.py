"""Start-up time: `modelyard serve` until /readyz answers 200, beside `mlflow server`.

Run: .venv/bin/python benchmarks/startup.py [--repeat 3]
Each server starts in a fresh data home on a free loopback port; the script prints the
seconds until the health URL first answers 200 (target for Modelyard: under 5 s).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _time_until_ok(
    command: list[str], url: str, env: dict[str, str], timeout_s: float = 120
) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - started < timeout_s:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            time.sleep(0.05)
        raise TimeoutError(url)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def modelyard(home: Path) -> float:
    port = _free_port()
    env = {
        **os.environ,
        "MODELYARD_HOME": str(home),
        "MODELYARD_ADMIN_USER": "admin",
        "MODELYARD_ADMIN_PASSWORD": "bench-password",
    }
    return _time_until_ok(
        [str(BIN / "modelyard"), "serve", "--port", str(port)],
        f"http://127.0.0.1:{port}/readyz",
        env,
    )


def mlflow(home: Path) -> float:
    port = _free_port()
    command = [
        str(BIN / "mlflow"),
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--backend-store-uri",
        f"sqlite:///{home / 'mlflow.db'}",
        "--workers",
        "1",
    ]
    return _time_until_ok(
        command,
        f"http://127.0.0.1:{port}/health",
        {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, start in (
        ("modelyard serve -> /readyz", modelyard),
        ("mlflow server -> /health", mlflow),
    ):
        first, warm = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                first.append(start(Path(tmp)))  # empty data home: migrations included
                warm.append(start(Path(tmp)))  # second start on the same home
        rows.append((name, statistics.median(first), statistics.median(warm)))
    print(f"{'server':32} {'fresh home (s)':>15} {'existing home (s)':>18}")
    for name, fresh, again in rows:
        print(f"{name:32} {fresh:15.2f} {again:18.2f}")
    print(f"ratio modelyard/mlflow (fresh): {rows[0][1] / rows[1][1]:.2f}")


if __name__ == "__main__":
    main()
