"""Addresses of pages that other pages and components link to."""

from __future__ import annotations

from urllib.parse import urlencode

DATASET_TABS = ("preview", "schema", "profile", "quality", "versions", "sql")


def dataset_url(dataset_id: int, *, version: int | None = None, tab: str | None = None) -> str:
    """A dataset's page, on one version (default: the latest) and one tab (default: preview)."""
    query = {
        k: v for k, v in (("version", version), ("tab", tab)) if v is not None and v != "preview"
    }
    return f"/datasets/{dataset_id}" + (f"?{urlencode(query)}" if query else "")


def job_url(job_id: int) -> str:
    return f"/jobs/{job_id}"
