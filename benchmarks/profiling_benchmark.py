"""Profiling speed and memory: ingest + full profile of 1M rows, beside ydata-profiling.

Run: .venv/bin/python benchmarks/profiling_benchmark.py [--rows 1000000] [--keep DIR]
     [--ydata-python /tmp/ydata-venv/bin/python]

The script generates ROWS x 20 mixed columns (about 150 MB of CSV at 1M rows) and prints:

(a) ingest: CSV -> Parquet with ``modelyard.services.ingestion.to_parquet``;
(b) ``modelyard.profiling.profile_table`` over that Parquet file;
(c) on a 100,000-row sample: Modelyard's profile vs ydata-profiling
    (``ProfileReport(df, minimal=False).to_json()``), times and ratio;
(d) a DuckDB group-by over the 1M-row Parquet file.

Each measured step runs in a fresh child process; its wall time is measured inside the
child around the step only (imports excluded), and its peak memory is the child's peak
resident set (``VmHWM``: the whole process, interpreter, libraries and data).
ydata-profiling's time excludes reading the Parquet sample into pandas; Modelyard's
includes reading the file.

ydata-profiling pins old libraries, so it lives in its own virtual environment:
    python3.11 -m venv /tmp/ydata-venv && /tmp/ydata-venv/bin/pip install ydata-profiling pyarrow
The comparison is skipped, with a note, when that interpreter is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

YDATA_SAMPLE_ROWS = 100_000

_YDATA_SCRIPT = """
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import pyarrow.parquet as pq
from ydata_profiling import ProfileReport
df = pq.read_table(sys.argv[1]).to_pandas()
started, cpu = time.perf_counter(), time.process_time()
ProfileReport(df, minimal=False, progress_bar=False).to_json()
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) * 1024
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_bytes": peak}))
"""


def generate(rows: int, seed: int = 0) -> pa.Table:
    """ROWS x 20 mixed columns: ids, numbers, categories, flags, dates, text, a target."""
    rng = np.random.default_rng(seed)
    income = np.round(rng.lognormal(10.5, 0.6, rows), 2)
    balance = np.round(rng.normal(2_000, 800, rows), 2)
    balance[rng.random(rows) < 0.002] *= 25  # a few extreme values
    tenure = rng.poisson(36, rows)
    regions = np.array(["North", "South", "East", "West", "north ", "Centre", "Islands", "Abroad"])
    start = np.datetime64("2019-01-01T00:00:00", "s").astype(np.int64)
    signup = start + rng.integers(0, 5 * 365 * 86_400, rows)
    fee = np.round(rng.uniform(5, 80, rows), 2).astype(str).astype(object)
    fee[rng.random(rows) < 0.01] = "unknown"  # numbers stored as text
    words = np.array("fast slow great poor support price app card fee branch late happy".split())
    phrases = np.array([" ".join(rng.choice(words, 8)) for _ in range(5_000)])
    risk = 0.00004 * balance - 0.03 * tenure + rng.normal(0, 1, rows)
    columns: dict[str, Any] = {
        "customer_id": rng.permutation(rows) + 100_000,
        "age": _with_missing(rng, rng.integers(18, 90, rows).astype(float), 0.02),
        "income": _with_missing(rng, income, 0.05),
        "balance": balance,
        "score": np.round(rng.uniform(0, 1, rows), 4),
        "tenure_months": tenure,
        "n_products": rng.integers(1, 6, rows),
        "credit_limit": np.round(income * 0.3 + rng.normal(0, 2_000, rows), 2),
        "spend_ratio": np.round(rng.beta(2, 5, rows), 4),
        "latitude": np.round(rng.uniform(35, 70, rows), 5),
        "longitude": np.round(rng.uniform(-10, 30, rows), 5),
        "region": rng.choice(regions, rows, p=[0.2, 0.2, 0.2, 0.2, 0.02, 0.1, 0.05, 0.03]),
        "segment": _with_missing(rng, rng.choice(["retail", "sme", "corp", "vip"], rows), 0.01),
        "channel": rng.choice([f"channel_{i:02d}" for i in range(20)], rows),
        "plan": rng.choice(["basic", "plus", "premium"], rows, p=[0.6, 0.3, 0.1]),
        "is_active": rng.random(rows) < 0.8,
        "signup_date": pa.array(signup, pa.timestamp("s")),
        "comment": _with_missing(rng, rng.choice(phrases, rows), 0.3),
        "monthly_fee": fee,
        "churned": (risk > 0.2).astype(np.int8),
    }
    return pa.table({k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in columns.items()})


def _with_missing(rng: np.random.Generator, values: np.ndarray, share: float) -> pa.Array:
    return pa.array(values, mask=rng.random(len(values)) < share)


def _peak_bytes() -> int:
    """This process's peak resident memory: VmHWM on Linux (ru_maxrss would include the
    parent's peak, inherited through fork), else ru_maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _measured(step: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run ``step``; its wall time and CPU time (all threads of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}


def _child_ingest(csv_path: str, out_dir: str) -> dict[str, Any]:
    from modelyard.services.ingestion import to_parquet

    result, times = _measured(lambda: to_parquet(Path(csv_path), "customers.csv", Path(out_dir)))
    return times | {"rows": result.n_rows}


def _child_profile(parquet_path: str, target: str) -> dict[str, Any]:
    from modelyard.profiling import profile_table

    profile, times = _measured(lambda: profile_table(Path(parquet_path), target=target or None))
    return times | {"score": profile.quality.score, "suggestions": len(profile.suggestions)}


def _child_groupby(parquet_path: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    query = (
        "SELECT region, plan, count(*), avg(income), max(balance) "
        "FROM read_parquet(?) GROUP BY region, plan ORDER BY region, plan"
    )
    rows, times = _measured(lambda: con.execute(query, [parquet_path]).fetchall())
    return times | {"groups": len(rows)}


def _run_child(step: str, *args: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", step, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_ydata(python: str, parquet_path: Path) -> dict[str, Any] | str:
    if not Path(python).exists():
        return f"skipped: {python} not found (see the module docstring to install it)"
    done = subprocess.run(
        [python, "-c", _YDATA_SCRIPT, str(parquet_path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def _line(label: str, result: dict[str, Any]) -> None:
    print(
        f"{label:<46} wall {result['wall_s']:6.2f} s  cpu {result['cpu_s']:6.2f} s  "
        f"peak {_mb(result['peak_bytes']):>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ydata-python", default="/tmp/ydata-venv/bin/python")
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        result = _CHILDREN[step](*rest)
        print(json.dumps(result | {"peak_bytes": _peak_bytes()}))
        return
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        _benchmark(args.keep, args.rows, args.ydata_python)
        return
    with tempfile.TemporaryDirectory(prefix="modelyard-bench-") as tmp:
        _benchmark(Path(tmp), args.rows, args.ydata_python)


def _child_generate(rows: str, folder: str) -> dict[str, Any]:
    """Write the CSV and the 100,000-row sample (in a child: the parent stays small)."""
    started = time.perf_counter()
    table = generate(int(rows))
    pacsv.write_csv(table, Path(folder) / "customers.csv")
    size = min(YDATA_SAMPLE_ROWS, table.num_rows)
    picked = np.sort(np.random.default_rng(1).choice(table.num_rows, size, replace=False))
    pq.write_table(table.take(picked), Path(folder) / "sample.parquet")
    return {"wall_s": time.perf_counter() - started}


_CHILDREN = {
    "generate": _child_generate,
    "ingest": _child_ingest,
    "profile": _child_profile,
    "groupby": _child_groupby,
}


def _benchmark(folder: Path, rows: int, ydata_python: str) -> None:
    csv_path = folder / "customers.csv"
    sample_path = folder / "sample.parquet"
    _run_child("generate", str(rows), str(folder))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {os.cpu_count()} cores, load average {load:.1f}, Python {sys.version.split()[0]}"
    )
    print(f"data: {rows:,} rows x 20 columns, CSV {_mb(csv_path.stat().st_size)}")
    ingest = _run_child("ingest", str(csv_path), str(folder))
    parquet_path = folder / "data.parquet"
    _line("(a) ingest CSV -> Parquet (to_parquet)", ingest)
    profile = _run_child("profile", str(parquet_path), "churned")
    _line("(b) profile_table on the Parquet file", profile)
    total = ingest["wall_s"] + profile["wall_s"]
    peak = max(ingest["peak_bytes"], profile["peak_bytes"])
    print(f"    ingest + profile: {total:.2f} s (target < 20 s), peak {_mb(peak)} (target < 2 GB)")
    ours = _run_child("profile", str(sample_path), "churned")
    _line(f"(c) Modelyard profile, {YDATA_SAMPLE_ROWS:,} rows", ours)
    theirs = _run_ydata(ydata_python, sample_path)
    if isinstance(theirs, str):
        print(f"    ydata-profiling: {theirs}")
    else:
        _line(f"    ydata-profiling minimal=False, {YDATA_SAMPLE_ROWS:,} rows", theirs)
        wall = theirs["wall_s"] / ours["wall_s"]
        cpu = theirs["cpu_s"] / ours["cpu_s"]
        print(f"    ratio ydata / Modelyard: {wall:.1f}x wall, {cpu:.1f}x cpu")
    groupby = _run_child("groupby", str(parquet_path))
    _line("(d) DuckDB group-by over the 1M-row Parquet", groupby)
    print(f"    target < 1 s; {groupby['groups']} groups")


if __name__ == "__main__":
    main()
