"""How the CLI shows dataset versions: one line for a new version, a table for many."""

from __future__ import annotations

from typing import Any

import typer

from modelyard.cli.output import Column, print_json
from modelyard.domain import DatasetVersion

MAX_SQL_CHARS = 60

VERSION_COLUMNS: list[Column] = [
    ("id", lambda v: v.id),
    ("version", lambda v: f"v{v.version}"),
    ("parent", lambda v: v.parent_version_id),
    ("rows", lambda v: v.n_rows),
    ("columns", lambda v: v.n_columns),
    ("source", lambda v: source_text(v.source)),
    ("created by", lambda v: v.created_by),
    ("created", lambda v: v.created_at),
]


def version_text(version: DatasetVersion) -> str:
    """``dataset 3, version 2 (version id 7), 100 rows x 6 columns``."""
    return (
        f"dataset {version.dataset_id}, version {version.version} (version id {version.id}), "
        f"{version.n_rows} rows x {version.n_columns} columns"
    )


def show_version(version: DatasetVersion, what: str, *, as_json: bool) -> None:
    """Print a version a command made: ``{what}: dataset 3, version 2 (...)`` or its JSON."""
    if as_json:
        return print_json(version)
    typer.echo(f"{what}: {version_text(version)}.")


def source_text(source: dict[str, Any]) -> str:
    """Where a version came from, in a few words."""
    kind = source.get("type")
    if kind == "upload":
        return f"upload {source.get('filename', '')}".strip()
    if kind == "sql":
        return f"sql: {_short(source.get('sql', ''))}"
    if kind == "sql_query":
        return f"import from {source.get('connection')}: {_short(source.get('sql', ''))}"
    if kind == "derived":
        return "; ".join(_step_text(step) for step in source.get("steps", [])) or "derived"
    return str(kind or "-")


def _step_text(step: dict[str, Any]) -> str:
    action = step.get("step")
    if action == "cast":
        return f"cast {step.get('column')} to {step.get('kind')}"
    if action == "sample":
        return f"sample {step.get('method')} {step.get('size')}"
    if action == "clean":
        columns = ", ".join(step.get("columns") or [])
        return f"{step.get('kind')}" + (f" ({columns})" if columns else "")
    return str(action)


def _short(sql: str) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= MAX_SQL_CHARS else f"{flat[: MAX_SQL_CHARS - 3]}..."
