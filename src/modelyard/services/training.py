"""Training: the trainer seam between a dataset version and a tracked model.

``start`` checks the request and queues a job; ``execute`` runs in a Dask worker, trains
with :mod:`modelyard.ml`, logs the run to MLflow and records it. The AutoML engine
replaces the thin trainer behind ``execute`` without changing either side.
"""

from __future__ import annotations

import os
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDataset, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Job, JobKind, Page, Permission, Run
from modelyard.errors import InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore, ProgressReporter, Tracker
from modelyard.services.audit import record_event
from modelyard.services.jobs import JobService, add_job, to_job
from modelyard.services.paging import paginate
from modelyard.services.projects import project_row
from modelyard.services.versions import version_row


def run_row(session: Session, actor: Actor, run_id: int) -> SqlRun:
    row = session.get(SqlRun, run_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No training run with id {run_id}.", code="run.not_found")
    return row


class TrainingService:
    def __init__(
        self, uow: UnitOfWork, artifacts: ArtifactStore, tracker: Tracker, jobs: JobService | None
    ) -> None:
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
        seed: int = 0,
    ) -> Job:
        """Check the request now (unknown target, single-valued target), then queue the job."""
        actor.require(Permission.WRITE, "train models")
        assert self._jobs is not None, "start() needs the job service (web side)"
        with self._uow.begin() as session:
            version = version_row(session, actor, dataset_version_id)
            if project_id is not None:
                project_row(session, actor, project_id)
            names = [c["name"] for c in version.columns]
            if target not in names:
                raise InvalidInputError(
                    f"The target column {target!r} is not in this dataset version. Columns: "
                    f"{', '.join(names[:20])}{' ...' if len(names) > 20 else ''}.",
                    code="training.target_unknown",
                    details={"target": target, "columns": names[:200]},
                )
            self._check_target_values(version.artifact_path, target)
            params = {
                "dataset_version_id": dataset_version_id,
                "target": target,
                "seed": seed,
                "project_id": project_id,
            }
            job = add_job(session, actor, JobKind.TRAIN, params, project_id=project_id)
            job_id = job.id
        self._jobs.dispatch(job_id)
        with self._uow.begin() as session:
            return to_job(session.get_one(type(job), job_id))

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
        """Run a training job (called in a Dask worker); return the job's result."""
        from modelyard.ml import train_tabular_model

        version_id = int(params["dataset_version_id"])
        target = str(params["target"])
        with self._uow.begin() as session:
            version = version_row(session, actor, version_id)
            dataset = session.get_one(SqlDataset, version.dataset_id)
            key, columns, dataset_name, number = (
                version.artifact_path,
                version.columns,
                dataset.name,
                version.version,
            )
            content_hash = version.content_hash
        reporter.report(0.05, f"loading {dataset_name} v{number}")
        with self._artifacts.open(key) as fh:
            frame = pq.read_table(fh).to_pandas()
        outcome = train_tabular_model(
            frame,
            target,
            seed=int(params.get("seed", 0)),
            n_jobs=os.cpu_count() or 1,
            progress=reporter.report,
        )
        for column, reason in outcome.dropped_columns.items():
            reporter.log(f"dropped column {column!r}: {reason}", "WARNING")
        reporter.report(0.8, "logging the run and model to MLflow")
        mlflow_run_id, model_uri = self._tracker.log_run(
            experiment=f"modelyard-{dataset_name}",
            run_name=f"job-{job_id}",
            params={
                **outcome.params,
                "target": target,
                "task": outcome.task,
                "algorithm": outcome.algorithm,
                "dataset_version": f"{dataset_name}:v{number}",
                "n_train": outcome.n_train,
                "n_test": outcome.n_test,
            },
            metrics=outcome.metrics,
            model=outcome.pipeline,
            input_example=frame[outcome.feature_columns].head(3),
            tags={"modelyard.job_id": str(job_id), "modelyard.dataset_hash": content_hash},
        )
        features = [c for c in columns if c["name"] in set(outcome.feature_columns)]
        with self._uow.begin() as session:
            row = SqlRun(
                workspace_id=actor.workspace_id,
                project_id=params.get("project_id"),
                job_id=job_id,
                dataset_version_id=version_id,
                target=target,
                task=outcome.task,
                algorithm=outcome.algorithm,
                metrics=outcome.metrics,
                params=outcome.params,
                mlflow_run_id=mlflow_run_id,
                model_uri=model_uri,
                feature_columns=features,
                classes=outcome.classes,
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            record_event(
                session,
                actor,
                "run.create",
                ("run", row.id),
                {"job_id": job_id, "metrics": outcome.metrics},
            )
            run_id = row.id
        reporter.report(1.0, "finished")
        return {
            "run_id": run_id,
            "task": outcome.task,
            "metrics": outcome.metrics,
            "mlflow_run_id": mlflow_run_id,
        }

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
