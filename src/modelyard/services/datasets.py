"""Datasets and their immutable, content-addressed versions."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDataset, SqlDatasetVersion
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Dataset, DatasetVersion, Page, Permission
from modelyard.domain.entities import ColumnSchema
from modelyard.errors import InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore
from modelyard.services.audit import record_event
from modelyard.services.ingestion import ParquetFile, column_kind, to_parquet
from modelyard.services.paging import paginate
from modelyard.services.projects import project_row

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,199}$")
PREVIEW_MAX_ROWS = 1000
SAMPLE_NAME = "penguins"
SAMPLE_TARGET = "species"


def to_version(row: SqlDatasetVersion) -> DatasetVersion:
    return DatasetVersion.model_validate(row)


def version_row(session: Session, actor: Actor, version_id: int) -> SqlDatasetVersion:
    row = session.get(SqlDatasetVersion, version_id)
    if row is not None:
        dataset = session.get(SqlDataset, row.dataset_id)
        if dataset is not None and dataset.workspace_id == actor.workspace_id:
            return row
    raise NotFoundError(
        f"No dataset version with id {version_id}.", code="dataset_version.not_found"
    )


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
        project_id=row.project_id,
        created_by=row.created_by,
        created_at=row.created_at,
        latest_version=to_version(latest) if latest else None,
    )


def _columns(parquet: ParquetFile) -> list[dict[str, Any]]:
    return [
        ColumnSchema(
            name=field.name,
            dtype=str(field.type),
            kind=column_kind(field.type),
            missing=parquet.null_counts.get(field.name, 0),
        ).model_dump()
        for field in parquet.schema
    ]


class DatasetService:
    def __init__(self, uow: UnitOfWork, artifacts: ArtifactStore, *, max_upload_bytes: int) -> None:
        self._uow = uow
        self._artifacts = artifacts
        self._max_upload_bytes = max_upload_bytes

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
        name = name.strip()
        if not _NAME.match(name):
            raise InvalidInputError(
                "A dataset name starts with a letter or digit and has at most 200 letters, "
                "digits, spaces, '_', '.' or '-'.",
                code="dataset.bad_name",
            )
        size = source.stat().st_size
        if size > self._max_upload_bytes:
            raise InvalidInputError(
                f"{filename} is {size:,} bytes; the limit is {self._max_upload_bytes:,}.",
                code="dataset.too_large",
            )
        with tempfile.TemporaryDirectory(prefix="modelyard-ingest-") as tmp:
            parquet = to_parquet(source, filename, Path(tmp), sheet=sheet)
            return self._store_version(
                actor,
                name,
                parquet,
                filename=filename,
                project_id=project_id,
                description=description,
            )

    def _store_version(
        self,
        actor: Actor,
        name: str,
        parquet: ParquetFile,
        *,
        filename: str,
        project_id: int | None,
        description: str,
    ) -> DatasetVersion:
        key = f"datasets/{parquet.content_hash[:2]}/{parquet.content_hash}.parquet"
        with self._uow.begin() as session:
            if project_id is not None:
                project_row(session, actor, project_id)
            dataset = session.scalar(
                select(SqlDataset).where(
                    SqlDataset.workspace_id == actor.workspace_id, SqlDataset.name == name
                )
            )
            if dataset is None:
                dataset = SqlDataset(
                    workspace_id=actor.workspace_id,
                    project_id=project_id,
                    name=name,
                    description=description,
                    created_by=actor.username,
                )
                session.add(dataset)
                session.flush()
            same = session.scalar(
                select(SqlDatasetVersion).where(
                    SqlDatasetVersion.dataset_id == dataset.id,
                    SqlDatasetVersion.content_hash == parquet.content_hash,
                )
            )
            if same is not None:
                return to_version(same)
            if not self._artifacts.exists(key):  # the file first, then the row that points at it
                self._artifacts.put_file(parquet.path, key)
            number = (
                session.scalar(
                    select(func.max(SqlDatasetVersion.version)).where(
                        SqlDatasetVersion.dataset_id == dataset.id
                    )
                )
                or 0
            ) + 1
            row = SqlDatasetVersion(
                dataset_id=dataset.id,
                version=number,
                content_hash=parquet.content_hash,
                artifact_path=key,
                n_rows=parquet.n_rows,
                n_columns=len(parquet.schema),
                size_bytes=parquet.size_bytes,
                columns=_columns(parquet),
                source={"type": "upload", "filename": filename},
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            record_event(
                session,
                actor,
                "dataset.version.create",
                ("dataset_version", row.id),
                {
                    "dataset": name,
                    "version": number,
                    "rows": parquet.n_rows,
                    "hash": parquet.content_hash,
                },
            )
            return to_version(row)

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
