"""The clustering / anomaly branch of a training job: search, MLflow, a Run row.

``TrainingService.execute`` hands a job here when its options ask for task "clustering" or
"anomaly". The run is tracked like a supervised one (an MLflow parent run with a child per
tried configuration, the model, the leaderboard as JSON and CSV, profiles, PNG plots) and
recorded as a Run whose ``details["report"]`` holds what the UI draws.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from modelyard.db.tables import SqlDataset, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor
from modelyard.domain.training import TrainingOptions
from modelyard.errors import InvalidInputError
from modelyard.ports import ArtifactStore, ProgressReporter, TrackedChild, Tracker
from modelyard.services.run_records import add_run
from modelyard.services.versions import version_row


def check_unsupervised_target(options: TrainingOptions, target: str) -> None:
    """Supervised tasks need a target; clustering and anomaly take it as an optional label."""
    if not target and not options.is_unsupervised:
        raise InvalidInputError(
            "Choose the column to predict, or the task 'clustering' or 'anomaly' for data "
            "without a target.",
            code="training.target_required",
        )


def execute_unsupervised(
    uow: UnitOfWork,
    artifacts: ArtifactStore,
    tracker: Tracker,
    actor: Actor,
    job_id: int,
    params: dict[str, Any],
    reporter: ProgressReporter,
) -> dict[str, Any]:
    from modelyard.ml.automl.unsupervised import fit_unsupervised
    from modelyard.services.training import automl_config

    version_id, label = int(params["dataset_version_id"]), str(params.get("target") or "")
    options = TrainingOptions.model_validate(params.get("options") or {})
    with uow.begin() as session:
        version = version_row(session, actor, version_id)
        dataset_name = session.get_one(SqlDataset, version.dataset_id).name
        key, columns, number = version.artifact_path, version.columns, version.version
        content_hash = version.content_hash
    reporter.report(0.02, f"loading {dataset_name} v{number}")
    frame = artifacts.arrow_dataset(key).to_table().to_pandas()
    result = fit_unsupervised(
        frame,
        automl_config(options),
        lambda fraction, message: reporter.report(0.05 + 0.8 * fraction, message),
        label=label or None,
        on_trial=lambda t: reporter.log(f"trial {t.number}: {t.family} {t.status} {t.params}"),
    )
    for column, reason in result.dropped_columns.items():
        reporter.log(f"dropped column {column!r}: {reason}", "WARNING")
    reporter.report(0.88, f"logging {result.n_trials} configurations and the model to MLflow")
    mlflow_run_id, model_uri = _track(
        tracker,
        result,
        frame,
        job_id=job_id,
        label=label,
        dataset=f"{dataset_name}:v{number}",
        content_hash=content_hash,
    )
    details = {
        "engine": "automl-unsupervised",
        "metric": result.metric,
        "val_score": result.val_score,
        "n_trials": result.n_trials,
        "leaderboard": _leaderboard(result),
        "notes": result.notes,
        "elapsed_s": result.elapsed_s,
        "options": options.model_dump(),
        "dropped_columns": result.dropped_columns,
        "report": result.report,
    }
    features = [c for c in columns if c["name"] in set(result.feature_columns)]
    with uow.begin() as session:
        run_id = add_run(
            session,
            actor,
            project_id=params.get("project_id"),
            job_id=job_id,
            dataset_version_id=version_id,
            target=label,
            task=result.task,
            algorithm=result.algorithm[:50],
            metrics=_finite(result.metrics),
            params=_plain(result.params()),
            mlflow_run_id=mlflow_run_id,
            model_uri=model_uri,
            feature_columns=features,
            classes=None,
            details=_plain(details),
        )
    reporter.report(1.0, f"best: {result.algorithm}, {result.metric} {result.val_score:.4g}")
    return {
        "run_id": run_id,
        "task": result.task,
        "metrics": _finite(result.metrics),
        "mlflow_run_id": mlflow_run_id,
        "n_trials": result.n_trials,
    }


def _track(
    tracker: Tracker,
    result: Any,
    frame: Any,
    *,
    job_id: int,
    label: str,
    dataset: str,
    content_hash: str,
) -> tuple[str, str]:
    from modelyard.ml.automl.unsupervised_plots import plot_files

    leaderboard = _leaderboard(result)
    found = {k: v for k, v in result.report.items() if k != "projection"}
    files = {**plot_files(result.task, result.report), "leaderboard.csv": _csv(leaderboard)}
    return tracker.log_run(
        experiment=f"modelyard-{dataset.split(':')[0]}",
        run_name=f"job-{job_id}",
        params={
            **result.params(),
            "target": label,
            "task": result.task,
            "dataset_version": dataset,
            "n_rows": result.n_rows,
        },
        metrics=_finite(result.metrics),
        model=result.model,
        input_example=frame[result.feature_columns].head(3),
        tags={"modelyard.job_id": str(job_id), "modelyard.dataset_hash": content_hash},
        children=[_child(t) for t in result.leaderboard],
        documents={
            "leaderboard.json": leaderboard,
            ("cluster_profiles.json" if result.task == "clustering" else "anomalies.json"): _plain(
                found
            ),
        },
        files=files,
    )


def _leaderboard(result: Any) -> list[dict[str, Any]]:
    from modelyard.services.model_folders import trial_dict

    return [_plain(trial_dict(t)) for t in result.leaderboard]


def _child(trial: Any) -> TrackedChild:
    metrics = {**trial.metrics, "fit_time_s": trial.fit_time_s, "elapsed_s": trial.elapsed_s}
    if trial.val_score is not None:
        metrics["val_score"] = trial.val_score
    return TrackedChild(
        name=f"trial-{trial.number}-{trial.family}",
        params={"family": trial.family, "status": trial.status, **trial.params},
        metrics=_finite(metrics),
    )


def _csv(leaderboard: list[dict[str, Any]]) -> bytes:
    metric_names = sorted({k for row in leaderboard for k in row["metrics"]})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["number", "family", "status", "val_score", *metric_names, "params"])
    for row in leaderboard:
        scores = [row["metrics"].get(name) for name in metric_names]
        writer.writerow(
            [row["number"], row["family"], row["status"], row["val_score"], *scores, row["params"]]
        )
    return buffer.getvalue().encode()


def _finite(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))}


def _plain(value: Any) -> Any:
    from modelyard.services.training import _plain as plain

    return plain(value)


def unsupervised_checks(policy: Any, run: SqlRun) -> list[Any]:
    """Approval checks for a clustering or anomaly model: thresholds on its own scores
    apply; supervised ones (accuracy, a validation set with a target) are not applicable."""
    from modelyard.domain.approvals import CheckResult, metric_check

    results = []
    for name, bound in policy.metric_thresholds.items():
        value = run.metrics.get(name)
        if value is None:
            detail = f"not applicable: a {run.task} model has no {name}"
            results.append(CheckResult(name=f"metric {name}", is_passed=True, detail=detail))
        else:
            results.append(metric_check(name, bound, value))
    if policy.validation_dataset_version_id is not None:
        results.append(
            CheckResult(
                name=f"validation on dataset version {policy.validation_dataset_version_id}",
                is_passed=True,
                detail=f"not applicable: a {run.task} model has no target to validate against",
            )
        )
    return results
