"""Headless AutoML: train from a file into a model folder, and predict from one.

The folder is an MLflow model (``model/``, loadable with ``mlflow.sklearn.load_model`` and
servable with ``mlflow models serve``) plus ``modelyard.json``: the task, the input schema,
the classes, the test metrics and the leaderboard. Input files (CSV or Parquet) are read
through the same ingestion as uploads, so a file means the same thing here and there.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from modelyard.errors import InvalidInputError
from modelyard.integrations.mlflow_tracker import pip_requirements
from modelyard.services.ingestion import column_kind, to_parquet

METADATA = "modelyard.json"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class FolderSummary:
    directory: Path
    task: str
    metric: str
    test_metrics: dict[str, float]
    n_trials: int
    algorithm: str


def read_table(path: Path) -> tuple[Any, dict[str, str]]:
    """A CSV or Parquet file as a DataFrame, with each column's kind."""
    if not path.is_file():
        raise InvalidInputError(f"{path} is not a file.", code="file.not_found")
    with tempfile.TemporaryDirectory(prefix="modelyard-read-") as tmp:
        parquet = to_parquet(path, path.name, Path(tmp))
        table = pq.read_table(parquet.path)
    kinds = {field.name: column_kind(field.type) for field in table.schema}
    return table.to_pandas(), kinds


def fit_to_folder(
    train_file: Path,
    target: str | None,
    *,
    time_budget_s: float,
    out: Path,
    seed: int = 0,
    progress: Progress | None = None,
    options: dict[str, Any] | None = None,
    task: str | None = None,
    n_clusters: int | None = None,
    contamination: float | None = None,
) -> FolderSummary:
    """Run AutoML on a file and save the model folder (written whole, then moved in place).

    ``task`` "clustering" or "anomaly" runs the unsupervised search (``target`` is then an
    optional label column, kept out of the features)."""
    from modelyard.ml.automl import AutoMLConfig, fit_automl

    if out.exists() and any(out.iterdir()):
        raise InvalidInputError(
            f"{out} exists and is not empty; choose a new folder.", code="automl.out_exists"
        )
    if task in ("clustering", "anomaly"):
        config = AutoMLConfig(
            time_budget_s=time_budget_s,
            seed=seed,
            task=task,  # type: ignore[arg-type]
            n_clusters=n_clusters,
            contamination=contamination,
        )
        return _fit_unsupervised(train_file, target, config, out=out, progress=progress)
    if not target:
        raise InvalidInputError(
            "--target is required for classification and regression; for data without a "
            "target use --task clustering or --task anomaly.",
            code="automl.target_required",
        )
    frame, kinds = read_table(train_file)
    config = AutoMLConfig(
        time_budget_s=time_budget_s,
        seed=seed,
        task=task,  # type: ignore[arg-type]
        **(options or {}),
    )
    result = fit_automl(frame, target, config, progress=progress)
    extra = {
        "options": {k: v for k, v in (options or {}).items() if v is not None},
        "decision_threshold": result.threshold,
        "feature_ranking": result.feature_ranking,
    }
    return _write(
        out,
        result,
        frame,
        kinds,
        test_metrics=result.test_metrics,
        target=target,
        classes=result.classes,
        extra=extra,
    )


def _fit_unsupervised(
    train_file: Path,
    label: str | None,
    config: Any,
    *,
    out: Path,
    progress: Progress | None = None,
) -> FolderSummary:
    """Clustering or anomaly detection into a folder of the same layout: ``modelyard
    predict DIR`` then writes a ``cluster`` column, or ``anomaly`` and ``anomaly_score``;
    ``modelyard.json`` also keeps cluster sizes and profiles, or the score histogram."""
    from modelyard.ml.automl.unsupervised import fit_unsupervised

    frame, kinds = read_table(train_file)
    result = fit_unsupervised(frame, config, progress, label=label or None)
    extra = {"report": {k: v for k, v in result.report.items() if k != "projection"}}
    return _write(
        out,
        result,
        frame,
        kinds,
        test_metrics=result.metrics,
        target=label or None,
        classes=None,
        extra=extra,
    )


def _write(
    out: Path,
    result: Any,
    frame: Any,
    kinds: dict[str, str],
    *,
    test_metrics: dict[str, float],
    target: str | None,
    classes: list[Any] | None,
    extra: dict[str, Any],
) -> FolderSummary:
    """Save ``result.model`` and ``modelyard.json`` (the keys every folder has + ``extra``)
    in ``out``; the summary of what was saved."""
    summary = FolderSummary(
        directory=out,
        task=result.task,
        metric=result.metric,
        test_metrics=test_metrics,
        n_trials=result.n_trials,
        algorithm=result.algorithm,
    )
    metadata = {
        "target": target,
        "task": summary.task,
        "metric": summary.metric,
        "algorithm": summary.algorithm,
        "features": [{"name": name, "kind": kinds[name]} for name in result.feature_columns],
        "classes": classes,
        "test_metrics": summary.test_metrics,
        "dropped_columns": result.dropped_columns,
        "leaderboard": [trial_dict(t) for t in result.leaderboard],
        **extra,
    }
    _save(out, result.model, frame[result.feature_columns].head(3), metadata)
    return summary


_TRIAL_FIELDS = (
    "number",
    "family",
    "status",
    "val_score",
    "metrics",
    "fit_time_s",
    "elapsed_s",
    "predict_latency_ms",
    "size_bytes",
    "reason",
)


def trial_dict(trial: Any) -> dict[str, Any]:
    """One tried configuration, JSON-safe (model folders, MLflow and run details): the
    fields the trial has (supervised and unsupervised trials differ) and its parameters."""
    data = {name: getattr(trial, name) for name in _TRIAL_FIELDS if hasattr(trial, name)}
    if "metrics" in data:
        data["metrics"] = dict(data["metrics"])
    data["params"] = {
        k: v if isinstance(v, int | float | str | bool) or v is None else str(v)
        for k, v in trial.params.items()
    }
    return data


def _save(out: Path, model: Any, example: Any, metadata: dict[str, Any]) -> None:
    import logging
    import os
    import warnings

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow.sklearn

    logging.getLogger("mlflow").setLevel(logging.ERROR)  # its pickle and schema hints are ours

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".modelyard-", dir=out.parent) as tmp:
        staging = Path(tmp) / "folder"
        staging.mkdir()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlflow.sklearn.save_model(
                model,
                str(staging / "model"),
                serialization_format="cloudpickle",
                pip_requirements=pip_requirements(),
                input_example=example,
            )
        (staging / METADATA).write_text(json.dumps(metadata, indent=2, default=str))
        if out.exists():
            out.rmdir()
        staging.rename(out)


def folder_task(directory: Path) -> str:
    """The task a model folder was trained for ("" when it is not a model folder)."""
    path = directory / METADATA
    return str(json.loads(path.read_text()).get("task", "")) if path.is_file() else ""


def predict_folder(
    directory: Path, input_file: Path
) -> tuple[list[Any], list[dict[str, float]] | None]:
    """Predictions (and class probabilities) of a model folder for every row of a file."""
    from modelyard.ml.scoring import feature_frame, score

    metadata_path = directory / METADATA
    if not metadata_path.is_file():
        raise InvalidInputError(
            f"{directory} is not a Modelyard model folder (no {METADATA}); make one with "
            "`modelyard automl fit`.",
            code="automl.not_a_model_folder",
        )
    metadata = json.loads(metadata_path.read_text())
    frame, _kinds = read_table(input_file)
    columns = [(f["name"], f["kind"]) for f in metadata["features"]]
    missing = [name for name, _ in columns if name not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"{input_file.name} lacks the model's feature(s): {', '.join(missing)}.",
            code="predict.missing_features",
        )
    import mlflow.sklearn

    model = mlflow.sklearn.load_model(str(directory / "model"))
    scores = score(model, feature_frame(frame, columns), task=metadata["task"])
    predictions = [p.item() if hasattr(p, "item") else p for p in scores.predictions.tolist()]
    if scores.labels is None or scores.probabilities is None:
        return predictions, None
    return predictions, [
        dict(zip(scores.labels, map(float, row), strict=True)) for row in scores.probabilities
    ]
