"""Dataset versions: the shared write path every way of making a version goes through.

Uploads, SQL queries, workbench results, cleaning and sampling all end in
:func:`store_version`: the Parquet file is written to the artifact store under its
content hash first, then the row that points at it is added to the caller's transaction.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDataset, SqlDatasetVersion
from modelyard.domain import Actor, DatasetVersion
from modelyard.domain.entities import ColumnSchema
from modelyard.errors import InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore
from modelyard.services.audit import record_event
from modelyard.services.ingestion import ParquetFile, column_kind
from modelyard.services.projects import project_row

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,199}$")


def check_dataset_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise InvalidInputError(
            "A dataset name starts with a letter or digit and has at most 200 letters, "
            "digits, spaces, '_', '.' or '-'.",
            code="dataset.bad_name",
        )
    return name


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


def artifact_key(content_hash: str) -> str:
    return f"datasets/{content_hash[:2]}/{content_hash}.parquet"


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


def _dataset(
    session: Session, actor: Actor, name: str, *, project_id: int | None, description: str
) -> SqlDataset:
    dataset = session.scalar(
        select(SqlDataset).where(
            SqlDataset.workspace_id == actor.workspace_id, SqlDataset.name == name
        )
    )
    if dataset is None:
        if project_id is not None:
            project_row(session, actor, project_id)
        dataset = SqlDataset(
            workspace_id=actor.workspace_id,
            project_id=project_id,
            name=name,
            description=description,
            created_by=actor.username,
        )
        session.add(dataset)
        session.flush()
    return dataset


def store_version(
    session: Session,
    artifacts: ArtifactStore,
    actor: Actor,
    name: str,
    parquet: ParquetFile,
    *,
    source: dict[str, Any],
    project_id: int | None = None,
    description: str = "",
    parent_version_id: int | None = None,
) -> SqlDatasetVersion:
    """The version of dataset ``name`` holding ``parquet``: an existing one with the same
    content, or a new one (the dataset is created on first use)."""
    dataset = _dataset(session, actor, name, project_id=project_id, description=description)
    same = session.scalar(
        select(SqlDatasetVersion).where(
            SqlDatasetVersion.dataset_id == dataset.id,
            SqlDatasetVersion.content_hash == parquet.content_hash,
        )
    )
    if same is not None:
        return same
    key = artifact_key(parquet.content_hash)
    if not artifacts.exists(key):  # the file first, then the row that points at it
        artifacts.put_file(parquet.path, key)
    latest = session.scalar(
        select(func.max(SqlDatasetVersion.version)).where(
            SqlDatasetVersion.dataset_id == dataset.id
        )
    )
    row = SqlDatasetVersion(
        dataset_id=dataset.id,
        parent_version_id=parent_version_id,
        version=(latest or 0) + 1,
        content_hash=parquet.content_hash,
        artifact_path=key,
        n_rows=parquet.n_rows,
        n_columns=len(parquet.schema),
        size_bytes=parquet.size_bytes,
        columns=_columns(parquet),
        source=source,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    details = {
        "dataset": name,
        "version": row.version,
        "rows": parquet.n_rows,
        "source": source.get("type"),
    }
    record_event(session, actor, "dataset.version.create", ("dataset_version", row.id), details)
    return row
