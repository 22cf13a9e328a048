"""AutoML side by side: Modelyard's fit_automl, FLAML and a HistGradientBoosting floor.

Run:  .venv/bin/python benchmarks/automl_benchmark.py [--time-budget 60] [--n-jobs 2]
          [--datasets breast_cancer,wine,...] [--systems modelyard,flaml,hgb]
          [--autogluon-python /path/to/ag-venv/bin/python] [--json results.json]

Every system gets the same training rows, the same time budget and the same number of
cores, in a fresh subprocess per (system, dataset) so that wall time and peak memory
(``ru_maxrss``) are its own. The test split (25%, seeded, stratified for classification)
is never shown to any system; ``--datasets wine@1,wine@2`` draws other test splits (seed
1, 2) of the same data, to tell a system's edge from one split's luck. ``--splits K`` does
that for every dataset of fewer than ``--split-below`` rows (default 500: test splits of
under 125 rows, where one row can decide a ranking): each is run on K test splits (seeds
0..K-1) and ranked on the mean of their scores; the per-split scores are printed too.
Scores: ROC AUC for binary targets, log loss for multiclass,
R2 for regression (FLAML is told the same metric; Modelyard optimises the same one, or
RMSE, which ranks models exactly like R2 on a fixed split). The last line is the mean rank
(1 = best) per system over the datasets.

Peers, installed only for this script (never a Modelyard dependency):
- FLAML: ``.venv/bin/pip install flaml``. Plain ``flaml`` rather than ``flaml[automl]``:
  the extra pins ``xgboost<3``, which would replace Modelyard's ``xgboost-cpu`` 3.x (same
  module name); FLAML runs on the LightGBM, XGBoost and scikit-learn already installed.
- AutoGluon (hook, in its own virtualenv because its pins differ):
  ``python -m venv ~/ag && ~/ag/bin/pip install torch==2.13.0 autogluon.tabular
  scikit-learn palmerpenguins psutil``, then pass ``--autogluon-python ~/ag/bin/python``;
  the script runs itself there in worker mode with ``presets="medium_quality"``.

The machine's load average is printed before and after: on a shared machine, timings
and the work done within a budget move with it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 0
TEST_SIZE = 0.25
SYSTEMS = ("modelyard", "flaml", "hgb")
DATASETS = (
    "breast_cancer",
    "wine",
    "iris",
    "digits",
    "diabetes",
    "penguins_species",
    "penguins_sex",
    "penguins_mass",
    "synthetic_clf_100k",
    "synthetic_reg_100k",
)
QUICK = ("breast_cancer", "wine", "iris", "diabetes")
HIGHER_IS_BETTER = {"roc_auc": True, "log_loss": False, "r2": True}


# --- data --------------------------------------------------------------------------------


def _sklearn(name: str) -> Callable[[], tuple[pd.DataFrame, pd.Series]]:
    def load() -> tuple[pd.DataFrame, pd.Series]:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
        frame = bunch.frame
        return frame.drop(columns="target"), frame["target"]

    return load


def _penguins(target: str) -> Callable[[], tuple[pd.DataFrame, pd.Series]]:
    def load() -> tuple[pd.DataFrame, pd.Series]:
        from palmerpenguins import load_penguins

        frame = load_penguins().dropna(subset=[target]).reset_index(drop=True)
        return frame.drop(columns=target), frame[target]

    return load


def _synthetic(kind: str) -> Callable[[], tuple[pd.DataFrame, pd.Series]]:
    def load() -> tuple[pd.DataFrame, pd.Series]:
        from sklearn.datasets import make_classification, make_regression

        if kind == "classification":
            X, y = make_classification(
                100_000, 20, n_informative=10, flip_y=0.05, random_state=SEED
            )
        else:
            X, y = make_regression(100_000, 20, n_informative=10, noise=20.0, random_state=SEED)
        return pd.DataFrame(X, columns=[f"x{i}" for i in range(20)]), pd.Series(y, name="y")

    return load


LOADERS: dict[str, Callable[[], tuple[pd.DataFrame, pd.Series]]] = {
    "breast_cancer": _sklearn("breast_cancer"),
    "wine": _sklearn("wine"),
    "iris": _sklearn("iris"),
    "digits": _sklearn("digits"),
    "diabetes": _sklearn("diabetes"),
    "penguins_species": _penguins("species"),
    "penguins_sex": _penguins("sex"),
    "penguins_mass": _penguins("body_mass_g"),
    "synthetic_clf_100k": _synthetic("classification"),
    "synthetic_reg_100k": _synthetic("regression"),
}


def task_of(y: pd.Series) -> str:
    if pd.api.types.is_float_dtype(y) and y.nunique() > 20:
        return "regression"
    return "binary" if y.nunique() == 2 else "multiclass"


def metric_of(task: str) -> str:
    return {"binary": "roc_auc", "multiclass": "log_loss", "regression": "r2"}[task]


def split(name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series, str]:
    """The train and test rows of a dataset; ``NAME@K`` splits with seed K instead of 0."""
    from sklearn.model_selection import train_test_split

    base, _, split_seed = name.partition("@")
    X, y = LOADERS[base]()
    task = task_of(y)
    stratify = y if task != "regression" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=int(split_seed or SEED), stratify=stratify
    )
    return X_train, X_test, y_train, y_test, task


def score(task: str, y_test: pd.Series, prediction: Any, *, classes: Any) -> dict[str, float]:
    from sklearn import metrics

    if task == "regression":
        return {"r2": float(metrics.r2_score(y_test, prediction))}
    proba = np.asarray(prediction, dtype=float)
    labels = list(classes)
    predicted = np.asarray(labels, dtype=object)[proba.argmax(axis=1)]
    out = {"accuracy": float(np.mean(predicted == y_test.to_numpy(dtype=object)))}
    if task == "binary":
        out["roc_auc"] = float(metrics.roc_auc_score(y_test == labels[1], proba[:, 1]))
    else:
        out["log_loss"] = float(metrics.log_loss(y_test, np.clip(proba, 1e-15, 1), labels=labels))
    return out


# --- systems (each runs in its own subprocess) --------------------------------------------


def run_modelyard(X: pd.DataFrame, y: pd.Series, task: str, *, budget: float, n_jobs: int) -> Any:
    from modelyard.ml.automl import AutoMLConfig, fit_automl

    metric = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}[task]
    config = AutoMLConfig(
        time_budget_s=budget, n_jobs=n_jobs, seed=SEED, metric=metric, refit_full=True
    )
    frame = X.assign(__target__=y.to_numpy())
    return fit_automl(frame, "__target__", config).model


def run_flaml(X: pd.DataFrame, y: pd.Series, task: str, *, budget: float, n_jobs: int) -> Any:
    from flaml import AutoML

    model = AutoML()
    model.fit(
        X,
        y,
        task="regression" if task == "regression" else "classification",
        metric=metric_of(task),
        time_budget=budget,
        n_jobs=n_jobs,
        seed=SEED,
        verbose=0,
    )
    return model


def run_hgb(X: pd.DataFrame, y: pd.Series, task: str, *, budget: float, n_jobs: int) -> Any:
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder

    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), text),
        remainder="passthrough",
    )
    cls = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    return make_pipeline(encode, cls(random_state=SEED)).fit(X, y)


def run_autogluon(X: pd.DataFrame, y: pd.Series, task: str, *, budget: float, n_jobs: int) -> Any:
    import tempfile

    from autogluon.tabular import TabularPredictor

    problem = {"binary": "binary", "multiclass": "multiclass", "regression": "regression"}[task]
    metric = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "r2"}[task]
    predictor = TabularPredictor(
        label="__target__",
        problem_type=problem,
        eval_metric=metric,
        path=tempfile.mkdtemp(),
        verbosity=0,
    )
    predictor.fit(
        X.assign(__target__=y.to_numpy()),
        time_limit=budget,
        presets="medium_quality",
        num_cpus=n_jobs,
    )
    return _AutoGluonModel(predictor)


class _AutoGluonModel:
    def __init__(self, predictor: Any) -> None:
        self.predictor = predictor
        self.classes_ = list(predictor.class_labels or [])

    def predict(self, X: pd.DataFrame) -> Any:
        return self.predictor.predict(X).to_numpy()

    def predict_proba(self, X: pd.DataFrame) -> Any:
        return self.predictor.predict_proba(X)[self.classes_].to_numpy()


RUNNERS = {
    "modelyard": run_modelyard,
    "flaml": run_flaml,
    "hgb": run_hgb,
    "autogluon": run_autogluon,
}


def worker(system: str, dataset: str, *, budget: float, n_jobs: int) -> dict[str, Any]:
    """Fit one system on one dataset; called in a fresh subprocess."""
    warnings.filterwarnings("ignore")
    X_train, X_test, y_train, y_test, task = split(dataset)
    started = time.perf_counter()
    model = RUNNERS[system](X_train, y_train, task, budget=budget, n_jobs=n_jobs)
    wall_s = time.perf_counter() - started
    if task == "regression":
        scores = score(task, y_test, model.predict(X_test), classes=None)
    else:
        scores = score(task, y_test, model.predict_proba(X_test), classes=model.classes_)
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "system": system,
        "dataset": dataset,
        "task": task,
        "metric": metric_of(task),
        "rows": len(X_train) + len(X_test),
        "score": scores[metric_of(task)],
        "scores": scores,
        "wall_s": wall_s,
        "peak_mb": peak_kb / 1024,
    }


# --- driver --------------------------------------------------------------------------------


def run_one(
    python: str, system: str, dataset: str, *, budget: float, n_jobs: int
) -> dict[str, Any]:
    command = [python, __file__, "--worker", system, dataset, str(budget), str(n_jobs)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    limit_s = budget * 3 + 120
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit_s, env=env)
    except subprocess.TimeoutExpired:
        return {"system": system, "dataset": dataset, "error": f"no answer after {limit_s:g} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"system": system, "dataset": dataset, "error": error[:200]}
    return dict(json.loads(lines[-1]))


def ranks(results: list[dict[str, Any]], systems: list[str]) -> dict[str, float]:
    per_system: dict[str, list[float]] = {s: [] for s in systems}
    for dataset in dict.fromkeys(r["dataset"] for r in results):
        rows = {r["system"]: r for r in results if r["dataset"] == dataset and "score" in r}
        if len(rows) < len(systems):
            continue
        sign = 1 if HIGHER_IS_BETTER[next(iter(rows.values()))["metric"]] else -1
        # equal to 10 decimals is a tie (penguins_sex: two AUCs 1e-16 apart)
        values = pd.Series({s: sign * round(rows[s]["score"], 10) for s in systems})
        for system, rank in values.rank(ascending=False, method="average").items():
            per_system[str(system)].append(float(rank))
    return {s: float(np.mean(v)) if v else math.nan for s, v in per_system.items()}


def expand(datasets: tuple[str, ...], *, splits: int, below: int) -> list[str]:
    """``datasets`` with every small one (fewer than ``below`` rows) as ``splits`` splits."""
    out = []
    for name in datasets:
        small = "@" not in name and len(LOADERS[name]()[1]) < below
        out += [f"{name}@{k}" for k in range(splits)] if small and splits > 1 else [name]
    return out


def mean_over_splits(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (system, dataset) with the mean score of its ``NAME@K`` splits, the mean
    wall time and the largest peak; a system that failed on any split failed the dataset."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault((r["system"], r["dataset"].partition("@")[0]), []).append(r)
    merged = []
    for (_, dataset), rows in groups.items():
        if len(rows) == 1:
            merged.append(rows[0])
            continue
        label = f"{dataset} ({len(rows)} splits)"
        failed = [r for r in rows if "score" not in r]
        if failed:
            merged.append({**failed[0], "dataset": label})
            continue
        merged.append(
            {
                **rows[0],
                "dataset": label,
                "score": float(np.mean([r["score"] for r in rows])),
                "wall_s": float(np.mean([r["wall_s"] for r in rows])),
                "peak_mb": max(r["peak_mb"] for r in rows),
            }
        )
    return merged


def print_table(results: list[dict[str, Any]], systems: list[str]) -> None:
    head = f"{'dataset':<29}{'task':<11}{'metric':<9}{'rows':>7}"
    print(head + "".join(f" | {s:>9} {'wall_s':>6} {'MB':>5}" for s in systems))
    for dataset in dict.fromkeys(r["dataset"] for r in results):
        rows = {r["system"]: r for r in results if r["dataset"] == dataset}
        first = next((r for r in rows.values() if "score" in r), None)
        if first is None:
            print(f"{dataset:<29} all systems failed")
            continue
        line = f"{dataset:<29}{first['task']:<11}{first['metric']:<9}{first['rows']:>7}"
        for system in systems:
            r = rows.get(system, {})
            if "score" in r:
                line += f" | {r['score']:>9.4f} {r['wall_s']:>6.1f} {r['peak_mb']:>5.0f}"
            else:
                line += f" | {'failed':>9} {'':>6} {'':>5}"
        print(line)
    mean = ranks(results, systems)
    print(
        f"{'mean rank (1 = best)':<56}" + "".join(f" | {mean[s]:>9.2f} {'':>12}" for s in systems)
    )
    for r in results:
        if "error" in r:
            print(f"  {r['system']} on {r['dataset']} failed: {r['error']}")


def first_model_seconds() -> float:
    """Seconds from the start of fit_automl to its first finished model (10,000 rows)."""
    from sklearn.datasets import make_classification

    from modelyard.ml.automl import AutoMLConfig, fit_automl

    X, y = make_classification(10_000, 20, random_state=SEED)
    frame = pd.DataFrame(X).rename(columns=str).assign(target=y)
    started, first = time.perf_counter(), list[float]()

    def on_trial(record: Any) -> None:
        if record.status == "ok" and not first:
            first.append(time.perf_counter() - started)

    fit_automl(frame, "target", AutoMLConfig(time_budget_s=10, max_trials=2), on_trial=on_trial)
    return first[0] if first else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-budget", type=float, default=60.0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--datasets", default=",".join(DATASETS), help="or 'quick'")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--splits", type=int, default=1, help="test splits of small datasets")
    parser.add_argument("--split-below", type=int, default=500, help="rows of a small dataset")
    parser.add_argument("--autogluon-python", default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--worker", nargs=4, metavar=("SYSTEM", "DATASET", "BUDGET", "JOBS"))
    args = parser.parse_args()
    if args.worker:
        system, dataset, budget, jobs = args.worker
        print(json.dumps(worker(system, dataset, budget=float(budget), n_jobs=int(jobs))))
        return
    named = QUICK if args.datasets == "quick" else tuple(args.datasets.split(","))
    datasets = expand(named, splits=args.splits, below=args.split_below)
    systems = args.systems.split(",") + (["autogluon"] if args.autogluon_python else [])
    print(f"budget {args.time_budget:g} s, n_jobs {args.n_jobs}, load {os.getloadavg()}")
    results = []
    for dataset in datasets:
        for system in systems:
            python = args.autogluon_python if system == "autogluon" else sys.executable
            result = run_one(python, system, dataset, budget=args.time_budget, n_jobs=args.n_jobs)
            results.append(result)
            shown = {
                k: result.get(k) for k in ("score", "wall_s", "peak_mb", "error") if k in result
            }
            print(f"  {dataset} / {system}: {shown}", flush=True)
    merged = mean_over_splits(results)
    if len(merged) < len(results):
        print("per split:")
        print_table(results, systems)
        print(f"small datasets as the mean over their {args.splits} splits:")
    print_table(merged, systems)
    print(f"modelyard: first finished model on 10,000 rows after {first_model_seconds():.2f} s")
    print(f"load after: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
