"""AutoML at scale: 1,000,000 rows x 50 columns within a time budget and a memory limit.

Run:  .venv/bin/python benchmarks/automl_scale_benchmark.py [--rows 1000000] [--columns 50]
          [--time-budget 300] [--memory-limit-gb 8] [--n-jobs 0] [--systems modelyard,hgb]
          [--first-model-rows 10000] [--json results.json]

Generates a seeded binary classification table (numeric columns plus a few categorical
ones, 2% missing values, a non-linear signal), keeps 20% as a test file, and runs each
system in a fresh subprocess on the same training file: Modelyard's ``fit_automl`` with
the time budget and ``memory_limit_gb``, and a default ``HistGradientBoostingClassifier``
as the floor. The parent samples the resident memory (RSS) of the child's whole process
tree every 0.2 s with psutil and reports the peak, the wall time (data loading included;
the loading and the fit itself are also timed apart) and the test ROC AUC side by side.
It also times the first finished model (the first usable trial) of a search on a
``--first-model-rows`` table (default 10,000; 0 to skip). The load average is printed before and after: on a
shared machine timings and the number of trials within the budget move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 0
N_CATEGORICAL = 5
TARGET = "target"


def make_table(n_rows: int, n_columns: int, seed: int = SEED) -> pd.DataFrame:
    """``n_columns`` features (``N_CATEGORICAL`` of them categorical) and a binary target."""
    rng = np.random.default_rng(seed)
    n_numeric = n_columns - N_CATEGORICAL
    X = rng.standard_normal((n_rows, n_numeric))
    weights = rng.normal(size=n_numeric) * (rng.random(n_numeric) < 0.4)
    logit = X @ weights * 0.5 + np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2]
    frame = pd.DataFrame(X, columns=[f"num_{i}" for i in range(n_numeric)])
    for i in range(N_CATEGORICAL):
        levels = np.array([f"c{i}_{level}" for level in range(4 + 4 * i)])
        codes = rng.integers(0, len(levels), n_rows)
        logit += rng.normal(scale=0.5, size=len(levels))[codes]
        frame[f"cat_{i}"] = pd.Categorical(levels[codes])
    missing = rng.random((n_rows, n_numeric)) < 0.02
    frame.iloc[:, :n_numeric] = frame.iloc[:, :n_numeric].mask(missing)
    frame[TARGET] = (rng.random(n_rows) < 1 / (1 + np.exp(-(logit - 0.5)))).astype(int)
    return frame


def _run_modelyard(train: pd.DataFrame, test: pd.DataFrame, args: argparse.Namespace) -> dict:
    from sklearn.metrics import roc_auc_score

    from modelyard.ml.automl import AutoMLConfig, fit_automl

    config = AutoMLConfig(
        time_budget_s=args.time_budget,
        seed=SEED,
        memory_limit_gb=args.memory_limit_gb,
        n_jobs=args.n_jobs or -1,
    )
    started = time.perf_counter()
    result = fit_automl(train, TARGET, config)
    fit_s = time.perf_counter() - started
    proba = result.model.predict_proba(test.drop(columns=TARGET))
    positive = list(result.model.classes_).index(1)
    return {
        "test_roc_auc": float(roc_auc_score(test[TARGET], proba[:, positive])),
        "algorithm": result.algorithm,
        "n_trials": result.n_trials,
        "fit_s": round(fit_s, 1),
        "budget_s": args.time_budget,
        "memory_estimate_gb": result.memory_estimate_gb,
        "downsampled_from": result.downsampled_from,
        "notes": result.notes,
    }


def _run_hgb(train: pd.DataFrame, test: pd.DataFrame, args: argparse.Namespace) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=SEED)
    started = time.perf_counter()
    model.fit(train.drop(columns=TARGET), train[TARGET])
    fit_s = time.perf_counter() - started
    proba = model.predict_proba(test.drop(columns=TARGET))[:, 1]
    auc = float(roc_auc_score(test[TARGET], proba))
    return {"test_roc_auc": auc, "algorithm": "hgb", "fit_s": round(fit_s, 1)}


def worker(args: argparse.Namespace) -> None:
    """Child mode: load the files, run one system, print one JSON line."""
    if args.n_jobs:
        os.environ["OMP_NUM_THREADS"] = str(args.n_jobs)
    folder = Path(args.data)
    started = time.perf_counter()
    train = pd.read_parquet(folder / "train.parquet")
    test = pd.read_parquet(folder / "test.parquet")
    load_s = round(time.perf_counter() - started, 1)
    run = {"modelyard": _run_modelyard, "hgb": _run_hgb}[args.worker]
    print("RESULT " + json.dumps({"load_s": load_s, **run(train, test, args)}), flush=True)


def first_model_time(n_rows: int, n_columns: int) -> tuple[float, str, float]:
    """Seconds from ``fit_automl`` to its first usable trial on ``n_rows`` rows (in process),
    that trial's family, and the time to the end of the whole (short) search. The learning
    libraries are imported first, as in a worker that has run a job before."""
    import lightgbm  # noqa: F401
    import optuna  # noqa: F401
    import sklearn.ensemble  # noqa: F401

    from modelyard.ml.automl import AutoMLConfig, fit_automl

    table = make_table(n_rows, n_columns, seed=SEED + 1)
    first: list[tuple[float, str]] = []
    started = time.perf_counter()

    def on_trial(record: Any) -> None:
        if record.is_usable and not first:
            first.append((time.perf_counter() - started, record.family))

    fit_automl(
        table, TARGET, AutoMLConfig(time_budget_s=10, seed=SEED, n_jobs=1), on_trial=on_trial
    )
    total = time.perf_counter() - started
    return (first[0][0], first[0][1], total) if first else (float("nan"), "-", total)


def _tree_rss(process: Any) -> int:
    import psutil

    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(system: str, data: Path, args: argparse.Namespace) -> dict:
    import psutil

    command = [
        sys.executable,
        __file__,
        "--worker",
        system,
        "--data",
        str(data),
        "--time-budget",
        str(args.time_budget),
        "--memory-limit-gb",
        str(args.memory_limit_gb),
        "--n-jobs",
        str(args.n_jobs),
    ]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            peak = max(peak, _tree_rss(process))
        except psutil.Error:
            pass
        time.sleep(0.2)
    out, err = child.communicate()
    wall = time.perf_counter() - started
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    if not lines:
        return {"system": system, "error": err[-2000:], "wall_s": round(wall, 1)}
    result = json.loads(lines[-1][len("RESULT ") :])
    return {
        "system": system,
        "wall_s": round(wall, 1),
        "peak_rss_gb": round(peak / 2**30, 2),
        **result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--time-budget", type=float, default=300.0)
    parser.add_argument("--memory-limit-gb", type=float, default=8.0)
    parser.add_argument("--n-jobs", type=int, default=0, help="threads per learner; 0: all")
    parser.add_argument("--systems", default="modelyard,hgb")
    parser.add_argument("--first-model-rows", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    if args.first_model_rows:
        seconds, family, total = first_model_time(args.first_model_rows, args.columns)
        print(
            f"first finished model on {args.first_model_rows:,} rows x {args.columns}: "
            f"{seconds:.2f} s ({family}; libraries imported beforehand; "
            f"whole 10 s search {total:.1f} s)"
        )
    with tempfile.TemporaryDirectory(prefix="modelyard-scale-") as folder:
        started = time.perf_counter()
        table = make_table(args.rows, args.columns)
        cut = int(len(table) * 0.8)
        table.iloc[:cut].to_parquet(Path(folder) / "train.parquet")
        table.iloc[cut:].to_parquet(Path(folder) / "test.parquet")
        print(
            f"data: {cut:,} train + {len(table) - cut:,} test rows x {args.columns} columns "
            f"({table.memory_usage(deep=True).sum() / 2**30:.2f} GB in memory), "
            f"made in {time.perf_counter() - started:.1f} s"
        )
        del table
        results = [measure(s, Path(folder), args) for s in args.systems.split(",")]
    print(f"load average after: {os.getloadavg()}")
    print(f"budget {args.time_budget:g} s; wall = process start to end (imports, loading, fit)")
    header = f"{'system':<10} {'wall s':>8} {'load s':>7} {'fit s':>7} {'peak GB':>8}"
    print(f"{header} {'test AUC':>9} {'trials':>7}  model")
    for r in results:
        if "error" in r:
            print(f"{r['system']:<10} failed: {r['error']}")
            continue
        print(
            f"{r['system']:<10} {r['wall_s']:>8.1f} {r['load_s']:>7.1f} {r['fit_s']:>7.1f} "
            f"{r['peak_rss_gb']:>8.2f} {r['test_roc_auc']:>9.4f} {r.get('n_trials', '-')!s:>7}"
            f"  {r['algorithm']}"
        )
    for r in results:
        for note in r.get("notes", []):
            print(f"  {r['system']}: {note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
