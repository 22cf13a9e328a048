"""The model registry: MLflow registered model versions, with Modelyard's records on top."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDataset, SqlDatasetVersion, SqlModelVersion, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, ModelVersion, Page, Permission
from modelyard.domain.comparison import MAX_COMPARED, ComparedVersion, VersionComparison
from modelyard.errors import InvalidInputError, ModelyardError, NotFoundError
from modelyard.ports import Tracker
from modelyard.services.audit import record_event
from modelyard.services.paging import paginate
from modelyard.services.training import run_row

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}$")


def to_model_version(session: Session, row: SqlModelVersion) -> ModelVersion:
    run = session.get_one(SqlRun, row.run_id)
    return ModelVersion(
        id=row.id,
        name=row.name,
        version=row.version,
        run_id=row.run_id,
        project_id=row.project_id,
        task=run.task,
        metrics=run.metrics,
        feature_columns=run.feature_columns,
        classes=run.classes,
        mlflow_uri=row.mlflow_uri,
        stage=row.stage,
        card={**_card_from_run(run), **row.card},
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _card_from_run(run: SqlRun) -> dict[str, Any]:
    """The model card parts a run fills by itself; people add intended use and limits."""
    metrics = ", ".join(f"{k} {v:.4g}" for k, v in run.metrics.items())
    return {
        "training_data": f"dataset version id {run.dataset_version_id}, target {run.target!r}, "
        f"{len(run.feature_columns)} features",
        "evaluation": f"{_evaluated_on(run.task)}: {metrics}",
        "algorithm": f"{run.algorithm} ({run.task})",
    }


def _evaluated_on(task: str) -> str:
    if task in ("clustering", "anomaly"):
        return "unsupervised, scored on the training rows (no target)"
    return "hold-out split"


def model_version_row(session: Session, actor: Actor, model_version_id: int) -> SqlModelVersion:
    row = session.get(SqlModelVersion, model_version_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No model version with id {model_version_id}.", code="model.not_found")
    return row


def _default_name(session: Session, run: SqlRun) -> str:
    version = session.get_one(SqlDatasetVersion, run.dataset_version_id)
    dataset = session.get_one(SqlDataset, version.dataset_id)
    return (
        re.sub(r"[^A-Za-z0-9_.\-]+", "-", f"{dataset.name}-{run.target}").strip("-")[:200]
        or "model"
    )


class ModelService:
    def __init__(self, uow: UnitOfWork, tracker: Tracker) -> None:
        self._uow = uow
        self._tracker = tracker

    def register(self, actor: Actor, run_id: int, *, name: str | None = None) -> ModelVersion:
        """Register a run's model in the MLflow registry as the next version of ``name``."""
        actor.require(Permission.WRITE, "register models")
        if name is not None and not _NAME.match(name):
            raise InvalidInputError(
                "A model name has 1-200 letters, digits, '_', '.' or '-', and starts with a "
                "letter or digit.",
                code="model.bad_name",
            )
        with self._uow.begin() as session:
            run = run_row(session, actor, run_id)
            model_name = name or _default_name(session, run)
            model_uri, mlflow_run_id, project_id = run.model_uri, run.mlflow_run_id, run.project_id
        # MLflow first; a version MLflow made but we failed to record is a collectable orphan.
        version = self._tracker.register(model_uri, model_name, run_id=mlflow_run_id)
        with self._uow.begin() as session:
            row = SqlModelVersion(
                workspace_id=actor.workspace_id,
                project_id=project_id,
                run_id=run_id,
                name=model_name,
                version=version,
                mlflow_uri=f"models:/{model_name}/{version}",
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            record_event(
                session,
                actor,
                "model.register",
                ("model_version", row.id),
                {"name": model_name, "version": version, "run_id": run_id},
            )
            return to_model_version(session, row)

    def get(self, actor: Actor, model_version_id: int) -> ModelVersion:
        actor.require(Permission.READ, "read models")
        with self._uow.begin() as session:
            return to_model_version(session, model_version_row(session, actor, model_version_id))

    def list(
        self, actor: Actor, *, project_id: int | None = None, offset: int = 0, limit: int = 50
    ) -> Page[ModelVersion]:
        actor.require(Permission.READ, "list models")
        with self._uow.begin() as session:
            query = select(SqlModelVersion).where(
                SqlModelVersion.workspace_id == actor.workspace_id
            )
            if project_id is not None:
                query = query.where(SqlModelVersion.project_id == project_id)
            query = query.order_by(SqlModelVersion.id.desc())
            return paginate(
                session,
                query,
                lambda row: to_model_version(session, row),
                offset=offset,
                limit=limit,
            )

    def compare(self, actor: Actor, model_version_ids: Sequence[int]) -> VersionComparison:
        """Versions side by side: metrics, parameters, data, stage and model card."""
        actor.require(Permission.READ, "compare models")
        ids = list(dict.fromkeys(model_version_ids))
        if not 2 <= len(ids) <= MAX_COMPARED:
            raise InvalidInputError(
                f"Compare 2 to {MAX_COMPARED} different model versions; got {len(ids)}.",
                code="model.compare_count",
            )
        with self._uow.begin() as session:
            compared = []
            for model_version_id in ids:
                row = model_version_row(session, actor, model_version_id)
                run = session.get_one(SqlRun, row.run_id)
                compared.append(
                    ComparedVersion(
                        model=to_model_version(session, row),
                        algorithm=run.algorithm,
                        dataset_version_id=run.dataset_version_id,
                        target=run.target,
                        params=dict(run.params),
                    )
                )
        sized = [v.model_copy(update={"size_bytes": self._size(v.model)}) for v in compared]
        return VersionComparison.build(sized)

    def _size(self, model: ModelVersion) -> int | None:
        """Bytes of the model directory as MLflow stores it (a local copy is measured)."""
        import tempfile
        from pathlib import Path

        try:
            with tempfile.TemporaryDirectory(prefix="modelyard-size-") as tmp:
                folder = self._tracker.download_model(model.mlflow_uri, Path(tmp))
                return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        except ModelyardError:
            return None
