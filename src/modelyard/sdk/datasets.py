"""``client.datasets``: upload tables, read datasets, versions and rows."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

from modelyard.domain import Dataset, DatasetVersion, Page
from modelyard.errors import InvalidInputError
from modelyard.sdk.transport import Resource

UPLOAD_TIMEOUT_S = 600.0  # the server stores and profiles the file before it answers


class Datasets(Resource):
    def upload(
        self,
        path: str | Path,
        name: str | None = None,
        *,
        project_id: int | None = None,
        description: str = "",
    ) -> DatasetVersion:
        """Upload a table file (CSV, TSV, Parquet, ...) as a new version of dataset ``name``.

        ``name`` defaults to the file name without its extension.
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidInputError(
                f"No file at {path}: give the path of a table file (CSV, TSV, Parquet, ...).",
                code="dataset.file_missing",
                details={"path": str(path)},
            )
        form = {"name": name, "project_id": project_id, "description": description}
        data = {key: str(value) for key, value in form.items() if value is not None}
        with path.open("rb") as fh:
            return self._send(
                DatasetVersion,
                "POST",
                "/datasets",
                files={"file": (path.name, fh, "application/octet-stream")},
                data=data,
                timeout_s=max(self._transport.timeout_s, UPLOAD_TIMEOUT_S),
            )

    def get(self, dataset_id: int) -> Dataset:
        """A dataset with its latest version."""
        return self._send(Dataset, "GET", f"/datasets/{dataset_id}")

    def list(
        self,
        *,
        search: str | None = None,
        project_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Dataset]:
        params = {"search": search, "project_id": project_id, "offset": offset, "limit": limit}
        return self._send(Page[Dataset], "GET", "/datasets", params=params)

    def versions(
        self, dataset_id: int, *, offset: int = 0, limit: int = 50
    ) -> Page[DatasetVersion]:
        """The versions of a dataset, newest first."""
        params = {"offset": offset, "limit": limit}
        path = f"/datasets/{dataset_id}/versions"
        return self._send(Page[DatasetVersion], "GET", path, params=params)

    def version(self, version_id: int) -> DatasetVersion:
        return self._send(DatasetVersion, "GET", f"/dataset-versions/{version_id}")

    def preview(self, version_id: int, *, limit: int = 100) -> builtins.list[dict[str, Any]]:
        """The first ``limit`` rows of a version (at most 1000), one dict per row."""
        path = f"/dataset-versions/{version_id}/preview"
        return builtins.list(self._transport.request("GET", path, params={"limit": limit}))
