"""Where a single-record predict spends its time inside the real app (no sockets).

Run:  .venv/bin/python benchmarks/predict_profile.py [--requests 3000] [--profile]

Builds the full app (``create_app`` with the NiceGUI UI mounted, auth, middlewares,
metrics, request log, prediction log), trains and deploys a LightGBM model on 20 numeric
features, then drives ``POST /api/v1/endpoints/{name}/predict`` straight through the ASGI
callable: what is left is the server's own per-request cost, without HTTP parsing or a
load generator. ``--profile`` prints the top of a cProfile of those requests.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving_benchmark import _frame  # noqa: E402


def _deploy(app: Any, tmp: Path) -> tuple[str, dict[str, float]]:
    from modelyard.domain.training import TrainingOptions

    services = app.state.services
    token = services.users.issue_token("admin", "bench-password").token
    actor = services.users.resolve_token(token)
    frame = _frame(400)
    csv = tmp / "bench.csv"
    frame.to_csv(csv, index=False)
    version = services.datasets.upload(actor, "bench", csv, filename=csv.name)
    options = TrainingOptions(families=["lightgbm"], max_trials=1, ensemble=False, time_budget_s=60)
    job = services.training.start(actor, version.id, "label", options=options)
    deadline = time.monotonic() + 300
    while not services.jobs.get(actor, job.id).status.is_finished:
        if time.monotonic() > deadline:
            raise RuntimeError("training did not finish")
        time.sleep(0.3)
    result = services.jobs.get(actor, job.id).result
    model = services.models.register(actor, result["run_id"])
    services.deployments.create(actor, "bench", model.id)
    record = {k: float(v) for k, v in frame.drop(columns="label").iloc[0].items()}
    return token, record


async def _drive(app: Any, token: str, record: dict[str, float], n: int) -> list[float]:
    body = json.dumps({"records": [record]}).encode()
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    times: list[float] = []
    for _ in range(n):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v1/endpoints/bench/predict",
            "raw_path": b"/api/v1/endpoints/bench/predict",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        status: list[int] = []

        async def send(message: dict[str, Any], status: list[int] = status) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        started = time.perf_counter()
        await app(scope, receive, send)
        times.append(time.perf_counter() - started)
        if status != [200]:
            raise RuntimeError(f"status {status}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-ui", action="store_true")
    parser.add_argument(
        "--no-settle", action="store_true", help="gc.unfreeze() before the run (as before)"
    )
    args = parser.parse_args()
    from modelyard.app import create_app
    from modelyard.integrations.dask_compute import DaskCompute
    from modelyard.logs import configure_logging
    from modelyard.settings import Settings

    with tempfile.TemporaryDirectory(prefix="modelyard-profile-") as name:
        tmp = Path(name)
        settings = Settings(home=tmp / "home", admin_user="admin", admin_password="bench-password")
        configure_logging("INFO")  # as `modelyard serve`: a line per API request
        for handler in logging.getLogger().handlers:
            if getattr(handler, "_modelyard", False):
                handler.setStream(open(tmp / "server.log", "w"))  # noqa: SIM115
        compute = DaskCompute(address=None, n_workers=1, threads_per_worker=1)
        app = create_app(settings, compute=compute, with_ui=not args.no_ui)
        token, record = _deploy(app, tmp)

        pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        gc_started = [0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                pauses[info["generation"]].append(time.perf_counter() - gc_started[0])

        async def run() -> None:
            await _drive(app, token, record, 200)  # warm: compile, caches
            if args.no_settle:  # undo what the app and the serving cache did
                gc.unfreeze()
            gc.callbacks.append(on_gc)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
            times = await _drive(app, token, record, args.requests)
            if args.profile:
                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats("tottime")
                stats.print_stats(35)
                stats.sort_stats("cumulative").print_stats(60)
            gc.callbacks.remove(on_gc)
            for generation, seen in pauses.items():
                if seen:
                    print(
                        f"gc generation {generation}: {len(seen)} collections, "
                        f"max {max(seen) * 1e3:.1f} ms, total {sum(seen) * 1e3:.0f} ms"
                    )
            times.sort()
            mean = sum(times) / len(times)
            print(
                f"{len(times)} requests in-process: mean {mean * 1e3:.3f} ms, "
                f"p50 {times[len(times) // 2] * 1e3:.3f} ms, "
                f"p99 {times[int(len(times) * 0.99)] * 1e3:.3f} ms, max {times[-1] * 1e3:.1f} ms "
                f"-> {1 / mean:.0f} req/s on one core"
            )

        asyncio.run(run())
        from modelyard.metrics import render

        counts = [
            line
            for line in render()[0].decode().splitlines()
            if line.startswith("modelyard_http_requests_total{")
        ]
        print("\n".join(counts))
        app.state.services.close()
        compute.close()


if __name__ == "__main__":
    main()
