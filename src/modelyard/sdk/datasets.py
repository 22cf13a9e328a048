"""``client.datasets``: upload tables; read datasets, versions and rows; describe, fix,
compare, profile, clean and sample versions.

Every change makes a new immutable version (its ``parent_version_id`` and ``source`` say
how it was made); nothing existing is altered, except the data dictionary of a dataset.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload
from urllib.parse import quote

from modelyard.domain import Dataset, DatasetVersion, Job, Lineage, Page, VersionDiff
from modelyard.domain.entities import ProfileSummary
from modelyard.errors import InvalidInputError
from modelyard.sdk.transport import Resource

UPLOAD_TIMEOUT_S = 600.0  # the server stores and profiles the file before it answers
DERIVE_TIMEOUT_S = 600.0  # cleaning, sampling and casting read and write a whole version


class Datasets(Resource):
    @overload
    def upload(
        self,
        path: str | Path,
        name: str | None = None,
        *,
        project_id: int | None = None,
        description: str = "",
        sheet: str | None = None,
        background: Literal[False] = False,
    ) -> DatasetVersion: ...

    @overload
    def upload(
        self,
        path: str | Path,
        name: str | None = None,
        *,
        project_id: int | None = None,
        description: str = "",
        sheet: str | None = None,
        background: Literal[True],
    ) -> Job: ...

    def upload(
        self,
        path: str | Path,
        name: str | None = None,
        *,
        project_id: int | None = None,
        description: str = "",
        sheet: str | None = None,
        background: bool = False,
    ) -> DatasetVersion | Job:
        """Upload a table file (CSV, TSV, Excel, Parquet, JSON) as a new version of ``name``.

        ``name`` defaults to the file name without its extension; ``sheet`` picks the sheet
        of an Excel file. With ``background=True`` the server ingests the file as a job and
        this returns the :class:`Job` at once: ``client.jobs.wait(job.id).result`` then
        names the new version (``dataset_version_id``).
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidInputError(
                f"No file at {path}: give the path of a table file (CSV, TSV, Parquet, ...).",
                code="dataset.file_missing",
                details={"path": str(path)},
            )
        form = {"name": name, "project_id": project_id, "description": description, "sheet": sheet}
        data = {key: str(value) for key, value in form.items() if value is not None}
        into: type[DatasetVersion | Job] = Job if background else DatasetVersion
        with path.open("rb") as fh:
            return self._send(
                into,
                "POST",
                "/datasets/jobs" if background else "/datasets",
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

    def update_dictionary(
        self,
        dataset_id: int,
        column: str,
        *,
        description: str | None = None,
        unit: str | None = None,
        role: str | None = None,
    ) -> Dataset:
        """Describe ``column`` in the dataset's data dictionary: meaning, unit, semantic role.

        Only what is given changes; ``None`` keeps the entry's current value.
        """
        body = {"description": description, "unit": unit, "role": role}
        path = f"/datasets/{dataset_id}/dictionary/{quote(column, safe='')}"
        return self._send(Dataset, "PATCH", path, json=body)

    def change_types(self, version_id: int, kinds: Mapping[str, str]) -> DatasetVersion:
        """A new version with columns cast: ``{"zip": "categorical", "signup": "datetime"}``.

        Kinds: numeric, integer, boolean, categorical, datetime, text.
        """
        return self._derive(version_id, "types", {"kinds": dict(kinds)})

    def diff(self, version_id: int, other_id: int) -> VersionDiff:
        """Schema, row count and per-column statistic changes from one version to another."""
        path = f"/dataset-versions/{version_id}/diff/{other_id}"
        return self._send(VersionDiff, "GET", path, timeout_s=self._long_timeout_s)

    def lineage(self, version_id: int) -> Lineage:
        """Where a version came from (its ancestors, newest first) and which runs used it."""
        return self._send(Lineage, "GET", f"/dataset-versions/{version_id}/lineage")

    def profile(self, version_id: int, target: str | None = None) -> Job:
        """Start profiling a version (a job); ``target`` adds the target analysis.

        Wait with ``client.jobs.wait(job.id)``, then read it with :meth:`get_profile`.
        """
        body = {"target": target}
        return self._send(Job, "POST", f"/dataset-versions/{version_id}/profile", json=body)

    def get_profile(self, version_id: int) -> ProfileSummary:
        """The newest profile of a version: quality score and, in ``profile``, everything."""
        return self._send(ProfileSummary, "GET", f"/dataset-versions/{version_id}/profile")

    def suggestions(self, version_id: int) -> builtins.list[dict[str, Any]]:
        """The cleaning steps the newest profile suggests, each with its ``reason``.

        Pass all or some of them to :meth:`clean`.
        """
        profile = self.get_profile(version_id).profile or {}
        return builtins.list(profile.get("suggestions", []))

    def download_report(self, version_id: int, path: str | Path) -> Path:
        """Save the newest profile as a self-contained offline HTML report at ``path``."""
        target = Path(path)
        self._transport.download(f"/dataset-versions/{version_id}/profile/report", target)
        return target

    def clean(self, version_id: int, steps: Sequence[Mapping[str, Any]]) -> DatasetVersion:
        """Apply cleaning steps (e.g. from :meth:`suggestions`): a new version.

        Each step is a dict with a ``kind`` (drop_constant_columns, drop_identifier_columns,
        drop_leaky_columns, impute, cap_outliers, fix_types, deduplicate_rows), ``columns``
        and its own options, e.g. ``{"kind": "impute", "columns": ["age"], "method": "knn"}``.
        """
        return self._derive(version_id, "clean", {"steps": [dict(step) for step in steps]})

    def sample(
        self,
        version_id: int,
        method: str,
        size: int,
        *,
        seed: int = 0,
        column: str | None = None,
    ) -> DatasetVersion:
        """A sample of ``size`` rows as a new version.

        ``method``: random, stratified (keeps the shares of ``column``), systematic or
        cluster.
        """
        body = {"method": method, "size": size, "seed": seed, "column": column}
        return self._derive(version_id, "sample", body)

    def _derive(self, version_id: int, action: str, body: dict[str, Any]) -> DatasetVersion:
        path = f"/dataset-versions/{version_id}/{action}"
        return self._send(DatasetVersion, "POST", path, json=body, timeout_s=self._long_timeout_s)

    @property
    def _long_timeout_s(self) -> float:
        return max(self._transport.timeout_s, DERIVE_TIMEOUT_S)
