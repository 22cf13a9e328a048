"""Model folders for the unsupervised tasks: ``modelyard automl fit --task clustering``.

The folder has the same layout as a supervised one (``model/`` + ``modelyard.json``), so
``modelyard predict DIR`` scores it the same way: a ``cluster`` column, or ``anomaly`` and
``anomaly_score`` columns. ``modelyard.json`` also keeps what the search found (cluster
sizes and profiles, or the anomaly score histogram).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelyard.ml.automl.config import AutoMLConfig
from modelyard.services.model_folders import FolderSummary, Progress, _save, read_table


def fit_unsupervised_to_folder(
    train_file: Path,
    label: str | None,
    config: AutoMLConfig,
    *,
    out: Path,
    progress: Progress | None = None,
) -> FolderSummary:
    from modelyard.ml.automl.unsupervised import fit_unsupervised

    frame, kinds = read_table(train_file)
    result = fit_unsupervised(frame, config, progress, label=label or None)
    metadata: dict[str, Any] = {
        "target": label or None,
        "task": result.task,
        "metric": result.metric,
        "algorithm": result.algorithm,
        "features": [{"name": name, "kind": kinds[name]} for name in result.feature_columns],
        "classes": None,
        "test_metrics": result.metrics,
        "dropped_columns": result.dropped_columns,
        "leaderboard": [trial_dict(t) for t in result.leaderboard],
        "report": {k: v for k, v in result.report.items() if k != "projection"},
    }
    _save(out, result.model, frame[result.feature_columns].head(3), metadata)
    return FolderSummary(
        directory=out,
        task=result.task,
        metric=result.metric,
        test_metrics=result.metrics,
        n_trials=result.n_trials,
        algorithm=result.algorithm,
    )


def trial_dict(trial: Any) -> dict[str, Any]:
    """One tried configuration, JSON-safe (for model folders, MLflow and run details)."""
    return {
        "number": trial.number,
        "family": trial.family,
        "status": trial.status,
        "val_score": trial.val_score,
        "metrics": dict(trial.metrics),
        "fit_time_s": trial.fit_time_s,
        "elapsed_s": trial.elapsed_s,
        "reason": trial.reason,
        "params": {
            k: v if isinstance(v, int | float | str | bool) or v is None else str(v)
            for k, v in trial.params.items()
        },
    }
