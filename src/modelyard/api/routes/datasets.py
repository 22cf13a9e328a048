from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import DatasetRead, DatasetVersionRead, JobRead
from modelyard.api.schemas.data import ColumnInfoPatch, ColumnInfoUpdate, TypeChange
from modelyard.domain import Lineage, Page, VersionDiff
from modelyard.errors import InvalidInputError

router = APIRouter(tags=["datasets"])


UPLOAD_DESCRIPTION = (
    "CSV, TSV, Parquet, Excel (.xlsx; choose the sheet), JSON or NDJSON. The same content "
    "uploaded again returns the existing version."
)


@contextmanager
def _received(file: UploadFile, limit: int) -> Iterator[tuple[Path, str]]:
    """The uploaded file in a temporary folder (refused past ``limit`` bytes), and its name."""
    filename = Path(file.filename or "upload.csv").name
    with tempfile.TemporaryDirectory(prefix="modelyard-upload-") as tmp:
        local = Path(tmp) / "upload"
        with local.open("wb") as out:
            copied = _copy_limited(file.file, out, limit)
        if copied > limit:
            raise InvalidInputError(
                f"{filename} is larger than the upload limit of {limit:,} bytes.",
                code="dataset.too_large",
            )
        yield local, filename


@router.post(
    "/datasets",
    response_model=DatasetVersionRead,
    status_code=201,
    summary="Upload a table file as a new version of a dataset",
    description=UPLOAD_DESCRIPTION,
)
def upload_dataset(
    actor: CurrentActor,
    services: ServicesDep,
    file: UploadFile = File(description="The table: .csv, .tsv, .parquet, .xlsx, .json, .ndjson."),
    name: str | None = Form(default=None, description="Dataset name; default: the file name."),
    project_id: int | None = Form(default=None),
    description: str = Form(default=""),
    sheet: str | None = Form(default=None, description="Excel only: the sheet to read."),
):
    with _received(file, services.settings.artifacts.max_upload_bytes) as (local, filename):
        return services.datasets.upload(
            actor,
            name or Path(filename).stem,
            local,
            filename=filename,
            project_id=project_id,
            description=description,
            sheet=sheet,
        )


@router.post(
    "/datasets/jobs",
    response_model=JobRead,
    status_code=202,
    summary="Upload a big table file and ingest it as a background job",
    description=UPLOAD_DESCRIPTION + " Watch the job; its result names the new version.",
)
def upload_dataset_in_background(
    actor: CurrentActor,
    services: ServicesDep,
    file: UploadFile = File(description="The table file."),
    name: str | None = Form(default=None, description="Dataset name; default: the file name."),
    project_id: int | None = Form(default=None),
    description: str = Form(default=""),
    sheet: str | None = Form(default=None, description="Excel only: the sheet to read."),
):
    with _received(file, services.settings.artifacts.max_upload_bytes) as (local, filename):
        return services.datasets.upload_in_background(
            actor,
            name or Path(filename).stem,
            local,
            filename=filename,
            project_id=project_id,
            description=description,
            sheet=sheet,
        )


def _copy_limited(source: Any, target: Any, limit: int) -> int:
    copied = 0
    while chunk := source.read(1 << 20):
        copied += len(chunk)
        if copied > limit:
            return copied
        target.write(chunk)
    return copied


@router.get("/datasets", response_model=Page[DatasetRead], summary="List datasets")
def list_datasets(
    actor: CurrentActor,
    services: ServicesDep,
    search: str | None = None,
    project_id: int | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.datasets.list(
        actor, search=search, project_id=project_id, offset=offset, limit=limit
    )


@router.get(
    "/datasets/{dataset_id}",
    response_model=DatasetRead,
    summary="One dataset with its latest version",
)
def get_dataset(dataset_id: int, actor: CurrentActor, services: ServicesDep):
    return services.datasets.get(actor, dataset_id)


@router.get(
    "/datasets/{dataset_id}/versions",
    response_model=Page[DatasetVersionRead],
    summary="Versions, newest first",
)
def list_versions(
    dataset_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.datasets.list_versions(actor, dataset_id, offset=offset, limit=limit)


@router.get(
    "/dataset-versions/{version_id}",
    response_model=DatasetVersionRead,
    summary="One dataset version",
)
def get_version(version_id: int, actor: CurrentActor, services: ServicesDep):
    return services.datasets.get_version(actor, version_id)


@router.get("/dataset-versions/{version_id}/preview", summary="The first rows of a version")
def preview(
    version_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    limit: int = Query(default=100, ge=1, le=1000),
) -> Sequence[dict[str, Any]]:
    return services.datasets.preview(actor, version_id, limit=limit)


@router.put(
    "/datasets/{dataset_id}/dictionary/{column:path}",
    response_model=DatasetRead,
    summary="Describe a column in the data dictionary",
)
def update_dictionary(
    dataset_id: int, column: str, body: ColumnInfoUpdate, actor: CurrentActor, services: ServicesDep
):
    return services.datasets.update_dictionary(actor, dataset_id, column, body)


@router.patch(
    "/datasets/{dataset_id}/dictionary/{column:path}",
    response_model=DatasetRead,
    summary="Change some fields of a column's dictionary entry",
)
def patch_dictionary(
    dataset_id: int, column: str, body: ColumnInfoPatch, actor: CurrentActor, services: ServicesDep
):
    return services.datasets.patch_dictionary(actor, dataset_id, column, body.model_dump())


@router.post(
    "/dataset-versions/{version_id}/types",
    response_model=DatasetVersionRead,
    status_code=201,
    summary="Fix column types: a new version with the columns cast",
)
def change_types(version_id: int, body: TypeChange, actor: CurrentActor, services: ServicesDep):
    return services.dataset_changes.change_types(actor, version_id, body.kinds)


@router.get(
    "/dataset-versions/{version_id}/diff/{other_id}",
    response_model=VersionDiff,
    summary="Schema, row count and statistic changes from this version to another",
)
def diff(version_id: int, other_id: int, actor: CurrentActor, services: ServicesDep):
    return services.dataset_changes.diff(actor, version_id, other_id)


@router.get(
    "/dataset-versions/{version_id}/lineage",
    response_model=Lineage,
    summary="Where a version came from and which runs used it",
)
def lineage(version_id: int, actor: CurrentActor, services: ServicesDep):
    return services.dataset_changes.lineage(actor, version_id)
