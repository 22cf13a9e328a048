"""Datasets and their immutable, content-addressed versions."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDataset, SqlDatasetVersion, SqlJob
from modelyard.db.uow import UnitOfWork
from modelyard.domain import (
    Actor,
    ColumnInfo,
    Dataset,
    DatasetVersion,
    Job,
    JobKind,
    Page,
    Permission,
)
from modelyard.errors import DependencyUnavailableError, InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore, ProgressReporter
from modelyard.services.audit import record_event
from modelyard.services.ingestion import to_parquet
from modelyard.services.jobs import JobService, add_job, to_job
from modelyard.services.paging import paginate
from modelyard.services.versions import check_dataset_name, store_version, to_version, version_row

PREVIEW_MAX_ROWS = 1000
SAMPLE_NAME = "penguins"
SAMPLE_TARGET = "species"


def _to_dataset(session: Session, row: SqlDataset) -> Dataset:
    latest = session.scalar(
        select(SqlDatasetVersion)
        .where(SqlDatasetVersion.dataset_id == row.id)
        .order_by(SqlDatasetVersion.version.desc())
        .limit(1)
    )
    return Dataset(
        id=row.id,
        name=row.name,
        description=row.description,
        dictionary=row.dictionary,
        project_id=row.project_id,
        created_by=row.created_by,
        created_at=row.created_at,
        latest_version=to_version(latest) if latest else None,
    )


class DatasetService:
    def __init__(
        self,
        uow: UnitOfWork,
        artifacts: ArtifactStore,
        *,
        max_upload_bytes: int,
        jobs: JobService | None = None,
    ) -> None:
        self._uow = uow
        self._artifacts = artifacts
        self._max_upload_bytes = max_upload_bytes
        self._jobs = jobs

    def upload(
        self,
        actor: Actor,
        name: str,
        source: Path,
        *,
        filename: str,
        project_id: int | None = None,
        description: str = "",
        sheet: str | None = None,
    ) -> DatasetVersion:
        """A new version of dataset ``name`` from a file; identical content -> same version."""
        actor.require(Permission.WRITE, "upload datasets")
        name = check_dataset_name(name)
        self._check_size(source, filename)
        with tempfile.TemporaryDirectory(prefix="modelyard-ingest-") as tmp:
            parquet = to_parquet(source, filename, Path(tmp), sheet=sheet)
            with self._uow.begin() as session:
                row = store_version(
                    session,
                    self._artifacts,
                    actor,
                    name,
                    parquet,
                    source={"type": "upload", "filename": filename},
                    project_id=project_id,
                    description=description,
                )
                return to_version(row)

    def upload_in_background(
        self,
        actor: Actor,
        name: str,
        source: Path,
        *,
        filename: str,
        project_id: int | None = None,
        description: str = "",
        sheet: str | None = None,
    ) -> Job:
        """Stage a big file and ingest it as a job (progress and result on the job)."""
        actor.require(Permission.WRITE, "upload datasets")
        if self._jobs is None:
            raise DependencyUnavailableError("This process runs no jobs.", code="jobs.unavailable")
        name = check_dataset_name(name)
        self._check_size(source, filename)
        staged = f"staging/{uuid.uuid4().hex}"
        self._artifacts.put_file(source, staged)
        params = {
            "staged": staged,
            "filename": filename,
            "name": name,
            "sheet": sheet,
            "project_id": project_id,
            "description": description,
        }
        with self._uow.begin() as session:
            job_id = add_job(session, actor, JobKind.INGEST, params, project_id=project_id).id
        self._jobs.dispatch(job_id)
        with self._uow.begin() as session:
            return to_job(session.get_one(SqlJob, job_id))

    def execute_ingest(
        self, actor: Actor, job_id: int, params: dict[str, Any], reporter: ProgressReporter
    ) -> dict[str, Any]:
        """The worker side of ``upload_in_background``."""
        staged = str(params["staged"])
        try:
            reporter.report(0.1, f"reading {params['filename']}")
            with tempfile.TemporaryDirectory(prefix="modelyard-staged-") as tmp:
                local = Path(tmp) / "upload"
                with self._artifacts.open(staged) as fh, local.open("wb") as out:
                    shutil.copyfileobj(fh, out, 1 << 20)
                reporter.report(0.3, "converting to Parquet")
                version = self.upload(
                    actor,
                    str(params["name"]),
                    local,
                    filename=str(params["filename"]),
                    project_id=params.get("project_id"),
                    description=str(params.get("description", "")),
                    sheet=params.get("sheet"),
                )
        finally:
            self._artifacts.delete(staged)
        reporter.report(1.0, f"version {version.version}: {version.n_rows:,} rows")
        return {
            "dataset_id": version.dataset_id,
            "dataset_version_id": version.id,
            "version": version.version,
        }

    def _check_size(self, source: Path, filename: str) -> None:
        size = source.stat().st_size
        if size > self._max_upload_bytes:
            raise InvalidInputError(
                f"{filename} is {size:,} bytes; the limit is {self._max_upload_bytes:,}.",
                code="dataset.too_large",
            )

    def create_sample(self, actor: Actor) -> DatasetVersion:
        """Upload the Palmer penguins table (ships with a package: no network) to try things."""
        from importlib.resources import as_file, files

        with as_file(files("palmerpenguins") / "data" / "penguins.csv") as path:
            return self.upload(
                actor,
                SAMPLE_NAME,
                Path(path),
                filename="penguins.csv",
                description="Palmer penguins: predict 'species' from body measurements.",
            )

    def get(self, actor: Actor, dataset_id: int) -> Dataset:
        actor.require(Permission.READ, "read datasets")
        with self._uow.begin() as session:
            row = session.get(SqlDataset, dataset_id)
            if row is None or row.workspace_id != actor.workspace_id:
                raise NotFoundError(f"No dataset with id {dataset_id}.", code="dataset.not_found")
            return _to_dataset(session, row)

    def list(
        self,
        actor: Actor,
        *,
        search: str | None = None,
        project_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Dataset]:
        actor.require(Permission.READ, "list datasets")
        with self._uow.begin() as session:
            query = select(SqlDataset).where(SqlDataset.workspace_id == actor.workspace_id)
            if search:
                pattern = f"%{search.strip()}%"
                query = query.where(
                    or_(SqlDataset.name.ilike(pattern), SqlDataset.description.ilike(pattern))
                )
            if project_id is not None:
                query = query.where(SqlDataset.project_id == project_id)
            query = query.order_by(SqlDataset.id.desc())
            return paginate(
                session, query, lambda row: _to_dataset(session, row), offset=offset, limit=limit
            )

    def update_dictionary(
        self, actor: Actor, dataset_id: int, column: str, info: ColumnInfo
    ) -> Dataset:
        """Describe a column: meaning, unit, semantic role (the data dictionary)."""
        actor.require(Permission.WRITE, "edit the data dictionary")
        with self._uow.begin() as session:
            row = session.get(SqlDataset, dataset_id)
            if row is None or row.workspace_id != actor.workspace_id:
                raise NotFoundError(f"No dataset with id {dataset_id}.", code="dataset.not_found")
            latest = _to_dataset(session, row).latest_version
            if latest is None or column not in {c.name for c in latest.columns}:
                raise InvalidInputError(
                    f"Dataset {row.name!r} has no column {column!r}.", code="dataset.unknown_column"
                )
            row.dictionary = {**row.dictionary, column: info.model_dump()}
            record_event(
                session, actor, "dataset.dictionary.update", ("dataset", row.id), {"column": column}
            )
            return _to_dataset(session, row)

    def patch_dictionary(
        self, actor: Actor, dataset_id: int, column: str, changes: dict[str, str | None]
    ) -> Dataset:
        """Change some fields of a column's dictionary entry; ``None`` keeps a field."""
        current = self.get(actor, dataset_id).dictionary.get(column) or ColumnInfo()
        given = {key: value for key, value in changes.items() if value is not None}
        return self.update_dictionary(actor, dataset_id, column, current.model_copy(update=given))

    def list_versions(
        self, actor: Actor, dataset_id: int, *, offset: int = 0, limit: int = 50
    ) -> Page[DatasetVersion]:
        self.get(actor, dataset_id)
        with self._uow.begin() as session:
            query = (
                select(SqlDatasetVersion)
                .where(SqlDatasetVersion.dataset_id == dataset_id)
                .order_by(SqlDatasetVersion.version.desc())
            )
            return paginate(session, query, to_version, offset=offset, limit=limit)

    def get_version(self, actor: Actor, version_id: int) -> DatasetVersion:
        actor.require(Permission.READ, "read datasets")
        with self._uow.begin() as session:
            return to_version(version_row(session, actor, version_id))

    def preview(
        self, actor: Actor, version_id: int, *, limit: int = 100
    ) -> Sequence[dict[str, Any]]:
        """The first ``limit`` rows of a version, as JSON-safe records."""
        actor.require(Permission.READ, "read datasets")
        limit = max(1, min(limit, PREVIEW_MAX_ROWS))
        with self._uow.begin() as session:
            key = version_row(session, actor, version_id).artifact_path
        with self._artifacts.open(key) as fh:
            parquet = pq.ParquetFile(fh)
            batch = next(parquet.iter_batches(batch_size=limit), None)
            if batch is None:
                return []
            frame = batch.to_pandas()
        return json_records(frame)

    def read_frame(self, actor: Actor, version_id: int) -> Any:
        """The whole version as a pandas DataFrame (for training and scoring)."""
        actor.require(Permission.READ, "read datasets")
        with self._uow.begin() as session:
            key = version_row(session, actor, version_id).artifact_path
        with self._artifacts.open(key) as fh:
            return pq.read_table(fh).to_pandas()


def json_records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts (NaN -> None, timestamps -> ISO text)."""
    import json

    return json.loads(frame.to_json(orient="records", date_format="iso"))
