"""Training: the trainer seam between a dataset version and a tracked model.

``start`` checks the request and queues a job; ``execute`` runs in a Dask worker, trains
with :mod:`modelyard.ml`, logs the run to MLflow and records it. The AutoML engine
replaces the thin trainer behind ``execute`` without changing either side.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlAuditEvent, SqlDataset, SqlJob, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Job, JobKind, Page, Permission, Run
from modelyard.domain.training import TrainingOptions
from modelyard.errors import InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore, ProgressReporter, TrackedChild, Tracker
from modelyard.services.jobs import JobService, add_job, to_job
from modelyard.services.paging import paginate
from modelyard.services.projects import project_row
from modelyard.services.run_artifacts import (
    SearchFeed,
    evaluate_result,
    package_versions,
    run_files,
)
from modelyard.services.run_records import add_run
from modelyard.services.unsupervised_training import check_unsupervised_target
from modelyard.services.versions import version_row


def automl_config(options: TrainingOptions) -> Any:
    """The engine's configuration for a request (raises InvalidInputError when it is wrong)."""
    from modelyard.ml.automl import AutoMLConfig

    return AutoMLConfig(
        time_budget_s=options.time_budget_s or 60.0,
        seed=options.seed,
        metric=options.metric,
        validation=options.validation,  # type: ignore[arg-type]
        n_folds=options.n_folds,
        group_column=options.group_column,
        time_column=options.time_column,
        families=tuple(options.families) if options.families else None,
        max_predict_latency_ms=options.max_predict_latency_ms,
        max_model_size_mb=options.max_model_size_mb,
        ensemble=options.ensemble,
        max_trials=options.max_trials,
        **prep_settings(options),
        task=options.task,  # type: ignore[arg-type]
        n_clusters=options.n_clusters,
        contamination=options.contamination,
    )


def prep_settings(options: TrainingOptions) -> dict[str, Any]:
    """The preprocessing / threshold / selection options, as AutoMLConfig fields."""
    names: tuple[str, ...] = ("imputation", "scaling", "encoding", "interactions", "resampling")
    names += ("threshold_metric", "cost_matrix", "feature_selection", "max_features")
    return {name: getattr(options, name) for name in names}


def _trial_line(trial: Any) -> str:
    score = "-" if trial.val_score is None else f"{trial.val_score:.4g}"
    extra = f" ({trial.reason})" if trial.reason else ""
    return f"trial {trial.number}: {trial.family} {trial.status}, validation {score}{extra}"


def _trial_dict(trial: Any) -> dict[str, Any]:
    return _plain(
        {
            "number": trial.number,
            "family": trial.family,
            "status": trial.status,
            "val_score": trial.val_score,
            "fit_time_s": trial.fit_time_s,
            "predict_latency_ms": trial.predict_latency_ms,
            "size_bytes": trial.size_bytes,
            "reason": trial.reason,
            "elapsed_s": trial.elapsed_s,
            "params": trial.params,
            "worker": trial.worker,
        }
    )


def _child(trial: Any) -> TrackedChild:
    metrics = {"val_score": trial.val_score} if trial.val_score is not None else {}
    metrics.update(fit_time_s=trial.fit_time_s, elapsed_s=trial.elapsed_s)
    if trial.predict_latency_ms is not None:
        metrics["predict_latency_ms"] = trial.predict_latency_ms
    return TrackedChild(
        name=f"trial-{trial.number}-{trial.family}",
        params={"family": trial.family, "status": trial.status, **trial.params},
        metrics={
            k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))
        },
    )


def _plain(value: Any) -> Any:
    """JSON-safe: NumPy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _cancelled_by(session: Session, job_id: int) -> str:
    """Who asked the job to stop (the latest cancel request in the audit trail)."""
    name = session.scalar(
        select(SqlAuditEvent.actor_name)
        .where(SqlAuditEvent.action == "job.cancel", SqlAuditEvent.resource_type == "job")
        .where(SqlAuditEvent.resource_id == str(job_id))
        .order_by(SqlAuditEvent.id.desc())
        .limit(1)
    )
    return name or "a stop request"


def run_row(session: Session, actor: Actor, run_id: int) -> SqlRun:
    row = session.get(SqlRun, run_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No training run with id {run_id}.", code="run.not_found")
    return row


class TrainingService:
    def __init__(
        self,
        uow: UnitOfWork,
        artifacts: ArtifactStore,
        tracker: Tracker,
        jobs: JobService | None,
        *,
        default_budget_s: float = 60.0,
        max_budget_s: float = 6 * 3600.0,
        default_max_trials: int | None = None,
        memory_limit_gb: float | None = None,
        parallel_trials: int = 1,
    ) -> None:
        self._memory_limit_gb = memory_limit_gb
        self._parallel_trials = parallel_trials
        self._default_max_trials = default_max_trials
        self._default_budget_s = default_budget_s
        self._max_budget_s = max_budget_s
        self._uow = uow
        self._artifacts = artifacts
        self._tracker = tracker
        self._jobs = jobs

    def start(
        self,
        actor: Actor,
        dataset_version_id: int,
        target: str,
        *,
        project_id: int | None = None,
        options: TrainingOptions | None = None,
    ) -> Job:
        """Check the request now (target, settings), then queue the AutoML job."""
        actor.require(Permission.WRITE, "train models")
        assert self._jobs is not None, "start() needs the job service (web side)"
        options = self._with_budget(options or TrainingOptions())
        automl_config(options)  # refuse bad settings before a job exists
        with self._uow.begin() as session:
            version = version_row(session, actor, dataset_version_id)
            if project_id is not None:
                project_row(session, actor, project_id)
            names = [c["name"] for c in version.columns]
            check_unsupervised_target(options, target)
            if (target or not options.is_unsupervised) and target not in names:
                raise InvalidInputError(
                    f"The target column {target!r} is not in this dataset version. Columns: "
                    f"{', '.join(names[:20])}{' ...' if len(names) > 20 else ''}.",
                    code="training.target_unknown",
                    details={"target": target, "columns": names[:200]},
                )
            if not options.is_unsupervised:
                self._check_target_values(version.artifact_path, target)
            params = {
                "dataset_version_id": dataset_version_id,
                "target": target,
                "project_id": project_id,
                "options": options.model_dump(),
            }
            job_id = add_job(session, actor, JobKind.TRAIN, params, project_id=project_id).id
        self._jobs.dispatch(job_id)
        with self._uow.begin() as session:
            return to_job(session.get_one(SqlJob, job_id))

    def _with_budget(self, options: TrainingOptions) -> TrainingOptions:
        budget = options.time_budget_s or self._default_budget_s
        if budget > self._max_budget_s:
            raise InvalidInputError(
                f"The time budget may be at most {self._max_budget_s:g} s.",
                code="training.budget_too_large",
            )
        trials = options.max_trials or self._default_max_trials
        return options.model_copy(update={"time_budget_s": budget, "max_trials": trials})

    def recommend(self, actor: Actor, dataset_version_id: int, target: str) -> dict[str, Any]:
        """The suggested task, metric, families, validation and budget, each with its reason."""
        from modelyard.ml.automl import recommend

        actor.require(Permission.READ, "read recommendations")
        with self._uow.begin() as session:
            key = version_row(session, actor, dataset_version_id).artifact_path
        frame = self._artifacts.arrow_dataset(key).to_table().to_pandas()
        if not target:  # nothing to predict: group the rows instead
            from modelyard.ml.automl.unsupervised import recommend_unsupervised

            return _plain(recommend_unsupervised(frame))
        advice = recommend(frame, target, memory_limit_gb=self._memory_limit_gb)
        return _plain(dataclasses.asdict(advice))

    def _check_target_values(self, key: str, target: str) -> None:
        with self._artifacts.open(key) as fh:
            column = pq.read_table(fh, columns=[target]).column(0)
        distinct = column.drop_null().unique()
        if len(distinct) < 2:
            shown = (
                "no values" if len(distinct) == 0 else f"the single value {distinct[0].as_py()!r}"
            )
            raise InvalidInputError(
                f"The target column {target!r} has {shown}; a model needs at least two "
                "different values to learn from.",
                code="training.target_single_value" if len(distinct) else "training.target_empty",
            )

    def execute(
        self, actor: Actor, job_id: int, params: dict[str, Any], reporter: ProgressReporter
    ) -> dict[str, Any]:
        """Run a training job in a Dask worker: AutoML search, MLflow tracking, a Run row."""
        from modelyard.integrations.dask_trials import parallel_runner
        from modelyard.ml.automl import fit_automl
        from modelyard.ml.automl.stopping import quiet

        version_id, target = int(params["dataset_version_id"]), str(params["target"])
        options = TrainingOptions.model_validate(params.get("options") or {})
        if options.is_unsupervised:
            return self._execute_unsupervised(actor, job_id, params, reporter)
        with self._uow.begin() as session:
            version = version_row(session, actor, version_id)
            dataset_name = session.get_one(SqlDataset, version.dataset_id).name
            key, columns, number, content_hash = (
                version.artifact_path,
                version.columns,
                version.version,
                version.content_hash,
            )
        reporter.report(0.02, f"loading {dataset_name} v{number}")
        frame = self._artifacts.arrow_dataset(key).to_table().to_pandas()
        config = dataclasses.replace(
            automl_config(options),
            memory_limit_gb=self._memory_limit_gb,
            parallel_trials=self._parallel_trials,
        )
        run_search = parallel_runner(config.parallel_trials)
        if run_search is not None:
            reporter.log(f"trials run in parallel: {run_search}")
        feed = SearchFeed(reporter, budget_s=config.time_budget_s, max_trials=config.max_trials)

        def progress(fraction: float, message: str) -> None:
            feed.on_progress(message)
            reporter.report(0.05 + 0.75 * fraction, message)

        def on_trial(trial: Any) -> None:
            reporter.log(_trial_line(trial))
            feed.on_trial(_trial_dict(trial))

        result = fit_automl(
            frame, target, config, progress=progress, on_trial=on_trial, run_search=run_search
        )
        report = quiet(reporter.report) if result.stopped_early else reporter.report
        for column, reason in result.dropped_columns.items():
            reporter.log(f"dropped column {column!r}: {reason}", "WARNING")
        for note in result.notes:
            if note.startswith(("memory estimate", "downsampled", "dropped memory-hungry")):
                reporter.log(note, "INFO" if note.startswith("memory") else "WARNING")
        report(0.82, "evaluating: curves, importance, SHAP, learning curve")
        evaluation = evaluate_result(result, frame, target)
        report(0.88, f"logging {result.n_trials} trials and the model to MLflow")
        leaderboard = [_trial_dict(t) for t in result.leaderboard]
        reproducibility = {
            "dataset_version": f"{dataset_name}:v{number}",
            "dataset_version_id": version_id,
            "data_hash": content_hash,
            "seed": options.seed,
            "target": target,
            "options": options.model_dump(),
            "packages": package_versions(),
        }
        mlflow_run_id, model_uri = self._tracker.log_run(
            experiment=f"modelyard-{dataset_name}",
            run_name=f"job-{job_id}",
            params={
                **result.params(),
                "target": target,
                "task": result.task,
                "dataset_version": f"{dataset_name}:v{number}",
                "n_train": result.n_train,
                "n_test": result.n_test,
            },
            metrics=result.test_metrics,
            model=result.model,
            input_example=frame[result.feature_columns].head(3),
            tags={"modelyard.job_id": str(job_id), "modelyard.dataset_hash": content_hash},
            children=[_child(t) for t in result.leaderboard],
            documents={
                "leaderboard.json": leaderboard,
                **(
                    {"feature_ranking.json": result.feature_ranking}
                    if result.feature_ranking
                    else {}
                ),
            },
            files=run_files(evaluation, leaderboard, reproducibility),
        )
        details = {
            "engine": "automl",
            "metric": result.metric,
            "validation": result.validation,
            "val_score": result.val_score,
            "n_trials": result.n_trials,
            "leaderboard": leaderboard,
            "confusion_matrix": result.confusion_matrix,
            "notes": result.notes,
            "elapsed_s": result.elapsed_s,
            "predict_latency_ms": result.predict_latency_ms,
            "size_bytes": result.size_bytes,
            "options": options.model_dump(),
            "dropped_columns": result.dropped_columns,
            "feature_ranking": result.feature_ranking,
            "decision_threshold": result.threshold,
            "evaluation": evaluation,
            "reproducibility": reproducibility,
            "memory_estimate_gb": result.memory_estimate_gb,
            "downsampled_from": result.downsampled_from,
            "stopped_early": result.stopped_early,
        }
        features = [c for c in columns if c["name"] in set(result.feature_columns)]
        with self._uow.begin() as session:
            run_id = add_run(
                session,
                actor,
                project_id=params.get("project_id"),
                job_id=job_id,
                dataset_version_id=version_id,
                target=target,
                task=result.task,
                algorithm=result.algorithm[:50],
                metrics=result.test_metrics,
                params=_plain(result.params()),
                mlflow_run_id=mlflow_run_id,
                model_uri=model_uri,
                feature_columns=features,
                classes=result.classes,
                details=_plain(details),
            )
            message = "done"
            if result.stopped_early:
                message = (
                    f"stopped by {_cancelled_by(session, job_id)} after {result.n_trials} "
                    "trials; best so far kept"
                )
        report(1.0, f"best: {result.algorithm}, {result.metric} {result.val_score:.4g}")
        if result.stopped_early:
            reporter.log(message)
        return {
            "run_id": run_id,
            "task": result.task,
            "metrics": result.test_metrics,
            "mlflow_run_id": mlflow_run_id,
            "n_trials": result.n_trials,
            "message": message,
        }

    def _execute_unsupervised(
        self, actor: Actor, job_id: int, params: dict[str, Any], reporter: ProgressReporter
    ) -> dict[str, Any]:
        from modelyard.services.unsupervised_training import execute_unsupervised

        return execute_unsupervised(
            self._uow, self._artifacts, self._tracker, actor, job_id, params, reporter
        )

    def get_run(self, actor: Actor, run_id: int) -> Run:
        actor.require(Permission.READ, "read runs")
        with self._uow.begin() as session:
            return Run.model_validate(run_row(session, actor, run_id))

    def list_runs(
        self, actor: Actor, *, project_id: int | None = None, offset: int = 0, limit: int = 50
    ) -> Page[Run]:
        actor.require(Permission.READ, "list runs")
        with self._uow.begin() as session:
            query = select(SqlRun).where(SqlRun.workspace_id == actor.workspace_id)
            if project_id is not None:
                query = query.where(SqlRun.project_id == project_id)
            return paginate(
                session,
                query.order_by(SqlRun.id.desc()),
                Run.model_validate,
                offset=offset,
                limit=limit,
            )
