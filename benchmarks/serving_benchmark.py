"""Online serving side by side: Modelyard's endpoint, `mlflow models serve`, bare FastAPI.

Run:  .venv/bin/python benchmarks/serving_benchmark.py [--seconds 10] [--concurrency 32]
          [--rate 800] [--rows 5000] [--modelyard-workers 1]

What it does, all on this machine:
1. starts a real Modelyard server (`python -m modelyard serve`, data home in a temp dir,
   request logging and the prediction log on, access log off as `serve` sets it);
2. through the SDK: uploads a table of 20 numeric features, trains a LightGBM model with
   the real AutoML job (one family, one trial, no ensemble), registers and deploys it;
3. starts `mlflow models serve --env-manager local` on the same registered model;
4. starts two bare FastAPI apps (uvicorn, uvloop/httptools when installed, access log off)
   that load the same model: one scores it as a plain pipeline (a pandas DataFrame per
   request, as a hand-written endpoint would), one through Modelyard's compiled path;
5. for each server, a load generator in a separate process keeps ``--concurrency``
   keep-alive connections busy for ``--seconds`` (single-record requests) and reports
   requests/s, p50 and p99 latency (the most it serves: back to back); then a paced run
   in which the same connections offer ``--rate`` requests/s in all, open loop (latency
   counts from when a request was due, so queueing behind a slow answer shows).

The table ends with Modelyard's back-to-back throughput relative to each other server and
whether the serving target holds at the paced rate (p50 < 5 ms, p99 < 25 ms, the rate
sustained, no errors). The load generator runs on the same cores as the servers, so on a
2-core machine every figure includes its cost.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password"
N_FEATURES = 20


# --- helpers --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "MLFLOW_DISABLE_TELEMETRY": "true", **extra}


def _wait_ok(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"server exited ({process.returncode}) before {url}: {tail}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s")


def _frame(n_rows: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, N_FEATURES))
    frame = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(N_FEATURES)])
    signal = X[:, 0] + 0.5 * X[:, 1] - X[:, 2] * X[:, 3] + rng.normal(0, 0.5, n_rows)
    frame["label"] = np.where(signal > 0, "yes", "no")
    return frame


# --- servers --------------------------------------------------------------------------------


def bare_app(model_uri: str, tracking_uri: str, kind: str) -> Any:
    """A FastAPI app calling the model directly: ``plain`` pipeline or ``compiled``."""
    import mlflow.sklearn
    import pandas as pd
    from fastapi import FastAPI, Request

    from modelyard.ml.compiled import compile_model
    from modelyard.ml.scoring import feature_frame, score

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    pipeline = mlflow.sklearn.load_model(model_uri)
    columns = [(f"f{i:02d}", "numeric") for i in range(N_FEATURES)]
    served = compile_model(pipeline, columns, task="classification")
    app = FastAPI()

    @app.post("/predict")
    async def predict(request: Request) -> dict[str, Any]:
        records = (await request.json())["records"]
        if kind == "compiled":
            scores = served.predict_records(records)
        else:
            frame = pd.DataFrame.from_records(records, columns=[n for n, _ in columns])
            scores = score(pipeline, feature_frame(frame, columns), task="classification")
        assert scores.labels is not None and scores.probabilities is not None
        return {
            "predictions": scores.predictions.tolist(),
            "probabilities": [
                dict(zip(scores.labels, p, strict=True)) for p in scores.probabilities.tolist()
            ],
        }

    return app


def _run_bare(args: argparse.Namespace) -> None:
    import uvicorn

    app = bare_app(args.model_uri, args.tracking_uri, args.kind)
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, log_level="warning")


# --- load generator (its own process) ---------------------------------------------------------


async def _connection(
    host: str,
    port: int,
    request: bytes,
    stop_at: float,
    latencies: list[float],
    errors: list[str],
    interval_s: float | None,
    start_offset: float,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    next_at = time.perf_counter() + start_offset
    try:
        while True:
            now = time.perf_counter()
            if interval_s is not None:  # paced: latency counts from the scheduled send, so
                delay = next_at - now  # a request held up behind a slow one is charged
                if delay > 0:  # its wait (no coordinated omission)
                    await asyncio.sleep(delay)
                now = next_at
                next_at += interval_s
            if now >= stop_at or time.perf_counter() >= stop_at:  # a slow server: stop too
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - now)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode() + " " + body[:200].decode())
    finally:
        writer.close()


async def _load(
    url: str, body: bytes, headers: dict[str, str], concurrency: int, seconds: float, rate: float
) -> dict[str, Any]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    interval = concurrency / rate if rate > 0 else None
    warm: list[float] = []
    await asyncio.gather(  # warm-up: connections, caches, first model load
        *(
            _connection(host, port, request, time.perf_counter() + 1.5, warm, [], None, 0)
            for _ in range(concurrency)
        )
    )
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(
            _connection(
                host,
                port,
                request,
                stop_at,
                latencies,
                errors,
                interval,
                0 if interval is None else interval * i / concurrency,
            )
            for i in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def _run_load(args: argparse.Namespace) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    spec = json.loads(Path(args.spec).read_text())
    result = asyncio.run(
        _load(
            spec["url"],
            spec["body"].encode(),
            spec["headers"],
            args.concurrency,
            args.seconds,
            args.rate,
        )
    )
    print(json.dumps(result))


def measure(
    url: str, body: Any, headers: dict[str, str], *, concurrency: int, seconds: float, rate: float
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"url": url, "body": json.dumps(body), "headers": headers}, fh)
    command = [sys.executable, __file__, "load", "--spec", fh.name]
    command += ["--concurrency", str(concurrency), "--seconds", str(seconds), "--rate", str(rate)]
    out = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
    os.unlink(fh.name)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --- the run --------------------------------------------------------------------------------


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=str(ROOT)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="mode")
    load = sub.add_parser("load")
    load.add_argument("--spec", required=True)
    load.add_argument("--concurrency", type=int, default=32)
    load.add_argument("--seconds", type=float, default=10)
    load.add_argument("--rate", type=float, default=0)
    bare = sub.add_parser("bare")
    bare.add_argument("--model-uri", required=True)
    bare.add_argument("--tracking-uri", required=True)
    bare.add_argument("--kind", choices=("plain", "compiled"), required=True)
    bare.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=800)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--modelyard-workers", type=int, default=1)
    parser.add_argument("--skip-mlflow", action="store_true")
    args = parser.parse_args()
    if args.mode == "load":
        return _run_load(args)
    if args.mode == "bare":
        return _run_bare(args)
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="modelyard-serving-bench-") as tmp:
        _bench(Path(tmp), args)
    print(f"load average after: {os.getloadavg()}", flush=True)


def _bench(tmp: Path, args: argparse.Namespace) -> None:
    import modelyard
    from modelyard.settings import Settings

    home = tmp / "home"
    env = _env(
        MODELYARD_HOME=str(home),
        MODELYARD_ADMIN_USER="admin",
        MODELYARD_ADMIN_PASSWORD=PASSWORD,
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        port = _free_port()
        command = [sys.executable, "-m", "modelyard.cli", "serve", "--port", str(port)]
        if args.modelyard_workers > 1:
            command += ["--workers", str(args.modelyard_workers)]
        server = _start(command, env, tmp / "modelyard.log")
        processes.append(server)
        base = f"http://127.0.0.1:{port}"
        _wait_ok(f"{base}/readyz", server, tmp / "modelyard.log")
        client = modelyard.Client.login(base, "admin", PASSWORD)
        frame = _frame(args.rows)
        csv = tmp / "bench.csv"
        frame.to_csv(csv, index=False)
        started = time.perf_counter()
        version = client.datasets.upload(csv, "serving-bench")
        job = client.training.start(
            version.id,
            "label",
            time_budget_s=120,
            families=["lightgbm"],
            max_trials=1,
            ensemble=False,
        )
        job = client.jobs.wait(job.id, timeout_s=600)
        assert job.result is not None, job.error_message
        model = client.models.register(job.result["run_id"], name="serving-bench")
        client.endpoints.create("bench", model.id)
        print(f"trained, registered, deployed in {time.perf_counter() - started:.1f} s", flush=True)

        settings = Settings(home=home)
        tracking_uri = str(settings.mlflow.tracking_uri)
        model_uri = model.mlflow_uri
        record = {k: float(v) for k, v in frame.drop(columns="label").iloc[0].items()}
        token = client.token if hasattr(client, "token") else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        targets: list[tuple[str, str, Any, dict[str, str]]] = [
            ("modelyard endpoint", f"{base}/api/v1/endpoints/bench/predict", None, headers)
        ]
        for kind in ("plain", "compiled"):
            bare_port = _free_port()
            bare = [sys.executable, __file__, "bare", "--model-uri", model_uri]
            bare += ["--tracking-uri", tracking_uri, "--kind", kind, "--port", str(bare_port)]
            process = _start(bare, env, tmp / f"bare-{kind}.log")
            processes.append(process)
            _wait_ok(f"http://127.0.0.1:{bare_port}/docs", process, tmp / f"bare-{kind}.log")
            url = f"http://127.0.0.1:{bare_port}/predict"
            targets.append((f"bare FastAPI ({kind})", url, None, {}))
        if not args.skip_mlflow:
            mlflow_port = _free_port()
            mlflow_cmd = [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_uri]
            mlflow_cmd += ["--env-manager", "local", "-p", str(mlflow_port), "-h", "127.0.0.1"]
            bin_dir = str(Path(sys.executable).parent)  # mlflow runs `uvicorn` from PATH
            path = os.pathsep.join([bin_dir, env.get("PATH", "")])
            mlflow_env = {**env, "MLFLOW_TRACKING_URI": tracking_uri, "PATH": path}
            process = _start(mlflow_cmd, mlflow_env, tmp / "mlflow.log")
            processes.append(process)
            _wait_ok(f"http://127.0.0.1:{mlflow_port}/ping", process, tmp / "mlflow.log")
            mlflow_body = {"dataframe_records": [record]}
            url = f"http://127.0.0.1:{mlflow_port}/invocations"
            targets.append(("mlflow models serve", url, mlflow_body, {}))

        results: dict[str, dict[str, Any]] = {}
        paced: dict[str, dict[str, Any]] = {}
        for name, url, body, hdrs in targets:
            payload = body if body is not None else {"records": [record]}
            results[name] = measure(
                url, payload, hdrs, concurrency=args.concurrency, seconds=args.seconds, rate=0
            )
            print(f"{name}: {results[name]}", flush=True)
            if args.rate > 0:
                paced[name] = measure(
                    url,
                    payload,
                    hdrs,
                    concurrency=args.concurrency,
                    seconds=args.seconds,
                    rate=args.rate,
                )
                print(f"{name} at {args.rate:.0f} rps: {paced[name]}", flush=True)
        _table(results, paced, args)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _table(
    results: dict[str, dict[str, Any]], paced: dict[str, dict[str, Any]], args: argparse.Namespace
) -> None:
    print()
    print(f"single-record POST, {args.concurrency} keep-alive clients, {args.seconds:.0f} s each")
    print(f"{'server':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    print("back to back (each client sends its next request when the answer arrives):")
    for name, r in results.items():
        print(f"  {name:26} {r['rps']:8.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d}")
    print(f"paced at {args.rate:.0f} req/s offered (latency from the scheduled send):")
    for name, r in paced.items():
        print(f"  {name:26} {r['rps']:8.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d}")
    ours = results.get("modelyard endpoint", {}).get("rps")
    if ours:
        print("Modelyard's back-to-back throughput relative to:")
        for name, r in results.items():
            if name != "modelyard endpoint" and r["rps"]:
                print(f"  {name:26} {ours / r['rps']:8.2f}x")
    mine = paced.get("modelyard endpoint")
    if mine:
        met = (
            mine["p50_ms"] < 5
            and mine["p99_ms"] < 25
            and mine["rps"] >= 0.98 * args.rate
            and mine["errors"] == 0
        )
        print(
            f"target at {args.rate:.0f} req/s (p50 < 5 ms, p99 < 25 ms, the rate sustained, "
            f"no errors): {'met' if met else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
