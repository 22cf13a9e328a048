"""Does the AutoML search end within its time budget, whatever the user chose?

Run:  .venv/bin/python benchmarks/automl_budget_sweep.py [--time-budget 15] [--rows 1500]
          [--n-jobs 2] [--json results.json]

Fits seeded tables (4-class, binary with missing values and a 26-level category, and
regression; ``--rows`` rows each) once per metric, validation and preprocessing option a
user can pick, and prints each fit's wall time against the budget, the trials run and the
test score. A wall over the budget by more than 5% is flagged ``OVER``. The peer is the
budget itself: FLAML and AutoGluon overrun theirs too (see ``automl_benchmark.py``'s wall
times), but they are not run here. Before the selection reserve counted the cross-check's
scores, a 30 s search on 2,500 rows scored by PR AUC took 52.6 s.

It first prints what one call of each label metric costs on 2,000 binary rows, Modelyard's
(``ml/automl/metrics.py``) beside scikit-learn's: ensemble selection and its cross-check
make ~25,000 of them.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd


def tables(n_rows: int) -> dict[str, pd.DataFrame]:
    from sklearn.datasets import make_classification, make_regression

    rng = np.random.default_rng(0)
    names = [f"x{i}" for i in range(12)]
    X, y = make_classification(
        n_samples=n_rows, n_features=12, n_informative=6, n_classes=4, random_state=0
    )
    multiclass = pd.DataFrame(X, columns=names).assign(
        y=y, group=rng.integers(0, 30, n_rows), time=np.arange(n_rows)
    )
    binary = multiclass.assign(y=(multiclass["y"] == 0).astype(int))
    binary.loc[::7, "x0"] = np.nan
    binary.loc[::5, "x3"] = np.nan
    binary["city"] = rng.choice(list("abcdefghijklmnopqrstuvwxyz"), n_rows)
    X, y = make_regression(n_samples=n_rows, n_features=12, noise=10, random_state=0)
    regression = pd.DataFrame(X, columns=names).assign(
        y=y + 300, group=rng.integers(0, 30, n_rows), time=np.arange(n_rows)
    )
    return {"multiclass": multiclass, "binary": binary, "regression": regression}


CLASSIFICATION_METRICS = [
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "f1_weighted",
    "precision_macro",
    "recall_weighted",
    "mcc",
    "pr_auc",
    "roc_auc",
    "log_loss",
]
CASES: list[tuple[str, str, dict[str, Any]]] = [
    *[("multiclass", metric, {}) for metric in CLASSIFICATION_METRICS],
    *[("regression", metric, {}) for metric in ["rmse", "mse", "mae", "mape", "r2"]],
    ("multiclass", "log_loss", {"validation": "group_kfold", "group_column": "group"}),
    ("regression", "rmse", {"validation": "timeseries", "time_column": "time"}),
    ("multiclass", "f1_macro", {"validation": "holdout"}),
    ("binary", "f1_macro", {"resampling": "smote", "threshold_metric": "f1"}),
    ("binary", "roc_auc", {"cost_matrix": ((0, 1), (5, 0))}),
    ("binary", "roc_auc", {"imputation": "knn", "feature_selection": "rfe"}),
    ("binary", "roc_auc", {"imputation": "iterative", "interactions": "always"}),
    ("binary", "log_loss", {"feature_selection": "neural", "encoding": "target"}),
    ("binary", "roc_auc", {"parallel_trials": 2}),
]


def metric_costs(n_rows: int = 2_000, repeats: int = 200) -> None:
    """Milliseconds a call, ours beside scikit-learn's, on the same labels and probabilities."""
    from sklearn import metrics as sk

    from modelyard.ml.automl.metrics import METRICS

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n_rows)
    proba = rng.dirichlet(np.ones(2), n_rows)
    predicted = proba.argmax(axis=1)
    peers = {
        "f1_macro": lambda: sk.f1_score(y, predicted, labels=[0, 1], average="macro"),
        "precision_weighted": lambda: sk.precision_score(
            y, predicted, labels=[0, 1], average="weighted", zero_division=0
        ),
        "mcc": lambda: sk.matthews_corrcoef(y, predicted),
        "pr_auc": lambda: sk.average_precision_score(y, proba[:, 1]),
    }

    def per_call_ms(call: Any) -> float:
        started = time.perf_counter()
        for _ in range(repeats):
            call()
        return (time.perf_counter() - started) / repeats * 1000

    print(f"one metric call on {n_rows:,} binary rows, ms:  Modelyard | scikit-learn")
    for name, peer in peers.items():
        ours = per_call_ms(lambda name=name: METRICS[name].score(y, proba))
        print(f"  {name:20} {ours:8.3f} | {per_call_ms(peer):8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-budget", type=float, default=15.0)
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    from modelyard.ml.automl import AutoMLConfig, fit_automl

    metric_costs()
    frames = tables(args.rows)
    budget = args.time_budget
    print(f"budget {budget:g} s, {args.rows} rows, n_jobs {args.n_jobs}, load {os.getloadavg()}")
    print(f"{'table':10} {'metric':17} {'options':52} {'wall_s':>7} {'trials':>6} {'test':>8}")
    results = []
    for table, metric, options in CASES:
        config = AutoMLConfig(
            time_budget_s=budget, n_jobs=args.n_jobs, seed=0, metric=metric, **options
        )
        started = time.perf_counter()
        result = fit_automl(frames[table], "y", config)
        wall = time.perf_counter() - started
        flag = "  OVER" if wall > 1.05 * budget else ""
        test = result.test_metrics.get(metric, float("nan"))
        described = ", ".join(f"{k}={v}" for k, v in options.items()) or "-"
        print(
            f"{table:10} {metric:17} {described[:52]:52} {wall:7.1f} {result.n_trials:6d} "
            f"{test:8.4f}{flag}",
            flush=True,
        )
        results.append(
            {"table": table, "metric": metric, "options": described, "wall_s": wall}
            | {"trials": result.n_trials, "test": test, "over": bool(flag)}
        )
    walls = [r["wall_s"] for r in results]
    over = sum(r["over"] for r in results)
    print(f"walls {min(walls):.1f}-{max(walls):.1f} s of {budget:g}; over budget: {over}")
    print(f"load after: {os.getloadavg()}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2, default=str)


if __name__ == "__main__":
    main()
