"""Comparing dataset versions and deriving new ones from old: diff, type fixes, lineage."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from modelyard.db.tables import SqlDataset, SqlDatasetVersion, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, ColumnChange, DatasetVersion, Lineage, Permission, VersionDiff
from modelyard.errors import InvalidInputError
from modelyard.ports import ArtifactStore
from modelyard.services.ingestion.writer import finish, write_table
from modelyard.services.versions import store_version, to_version, version_row

KINDS = ("numeric", "integer", "boolean", "categorical", "datetime", "text")
_ARROW = {
    "numeric": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "categorical": pa.string(),
    "text": pa.string(),
    "datetime": pa.timestamp("us"),
}


class DatasetChangeService:
    def __init__(self, uow: UnitOfWork, artifacts: ArtifactStore) -> None:
        self._uow = uow
        self._artifacts = artifacts

    def diff(self, actor: Actor, before_id: int, after_id: int) -> VersionDiff:
        """Schema changes, row counts and per-column statistic changes, side by side."""
        actor.require(Permission.READ, "compare dataset versions")
        with self._uow.begin() as session:
            before = to_version(version_row(session, actor, before_id))
            after = to_version(version_row(session, actor, after_id))
            keys = (
                version_row(session, actor, before_id).artifact_path,
                version_row(session, actor, after_id).artifact_path,
            )
        stats = [self._column_stats(key) for key in keys]
        return VersionDiff(
            before_id=before.id,
            after_id=after.id,
            rows_before=before.n_rows,
            rows_after=after.n_rows,
            columns=_column_changes(before, after, stats[0], stats[1]),
        )

    def _column_stats(self, key: str) -> dict[str, dict[str, Any]]:
        import duckdb

        connection = duckdb.connect()
        try:
            connection.register("version", self._artifacts.arrow_dataset(key))
            names = [row[0] for row in connection.execute("DESCRIBE version").fetchall()]
            return {name: _stats(connection, name) for name in names}
        finally:
            connection.close()

    def change_types(self, actor: Actor, version_id: int, kinds: dict[str, str]) -> DatasetVersion:
        """A new version with columns cast to the given kinds (the schema fix is in lineage)."""
        actor.require(Permission.WRITE, "change column types")
        bad = {c: k for c, k in kinds.items() if k not in KINDS}
        if not kinds or bad:
            raise InvalidInputError(
                f"Give each column one of the kinds {', '.join(KINDS)}.",
                code="dataset.bad_kind",
                details={"invalid": bad},
            )
        with self._uow.begin() as session:
            parent = version_row(session, actor, version_id)
            key, dataset_id = parent.artifact_path, parent.dataset_id
        table = self._artifacts.arrow_dataset(key).to_table()
        unknown = sorted(set(kinds) - set(table.column_names))
        if unknown:
            raise InvalidInputError(
                f"Unknown column(s): {', '.join(unknown)}.", code="dataset.unknown_column"
            )
        for name, kind in kinds.items():
            table = table.set_column(
                table.column_names.index(name), name, _cast(table[name], kind, name)
            )
        steps = [{"step": "cast", "column": c, "kind": k} for c, k in kinds.items()]
        return self.store_derived(actor, version_id, dataset_id, table, steps)

    def store_derived(
        self,
        actor: Actor,
        parent_id: int,
        dataset_id: int,
        table: pa.Table,
        steps: list[dict[str, Any]],
    ) -> DatasetVersion:
        """Write ``table`` as the next version of the parent's dataset, with the steps."""
        with tempfile.TemporaryDirectory(prefix="modelyard-derive-") as tmp:
            out = Path(tmp) / "data.parquet"
            parquet = finish(out, "derived table", write_table(table, "derived table", out))
            with self._uow.begin() as session:
                name = session.get_one(SqlDataset, dataset_id).name
                row = store_version(
                    session,
                    self._artifacts,
                    actor,
                    name,
                    parquet,
                    source={"type": "derived", "parent_version_id": parent_id, "steps": steps},
                    parent_version_id=parent_id,
                )
                return to_version(row)

    def lineage(self, actor: Actor, version_id: int) -> Lineage:
        actor.require(Permission.READ, "read dataset lineage")
        with self._uow.begin() as session:
            row = version_row(session, actor, version_id)
            ancestors: list[DatasetVersion] = []
            parent_id = row.parent_version_id
            while parent_id is not None and len(ancestors) < 100:
                parent = session.get_one(SqlDatasetVersion, parent_id)
                ancestors.append(to_version(parent))
                parent_id = parent.parent_version_id
            runs = session.scalars(
                select(SqlRun.id).where(SqlRun.dataset_version_id == version_id).order_by(SqlRun.id)
            ).all()
            return Lineage(version=to_version(row), ancestors=ancestors, run_ids=list(runs))


def _cast(column: pa.ChunkedArray, kind: str, name: str) -> pa.ChunkedArray:
    target = _ARROW[kind]
    try:
        if kind in ("categorical", "text"):
            return pc.cast(column, pa.string())
        source = column if not pa.types.is_string(column.type) else pc.utf8_trim_whitespace(column)
        if kind == "boolean" and pa.types.is_string(source.type):
            lowered = pc.utf8_lower(source)
            return pc.if_else(
                pc.is_in(lowered, pa.array(["true", "yes", "1", "y", "t"])),
                True,
                pc.if_else(
                    pc.is_in(lowered, pa.array(["false", "no", "0", "n", "f"])), False, None
                ),
            )
        return pc.cast(source, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInputError(
            f"Column {name!r} cannot become {kind}: {str(exc).splitlines()[0]}",
            code="dataset.cast_failed",
        ) from exc


def _stats(connection: Any, name: str) -> dict[str, Any]:
    quoted = '"' + name.replace('"', '""') + '"'
    kind = connection.execute(f"SELECT typeof({quoted}) FROM version LIMIT 1").fetchone()
    numeric = kind is not None and any(t in kind[0] for t in ("INT", "DOUBLE", "FLOAT", "DECIMAL"))
    extra = f", avg({quoted}), min({quoted}), max({quoted})" if numeric else ""
    row = connection.execute(
        f"SELECT count(*) - count({quoted}), approx_count_distinct({quoted}){extra} FROM version"
    ).fetchone()
    stats = {"missing": row[0], "distinct": row[1], "type": kind[0] if kind else None}
    if numeric:
        stats.update(mean=_round(row[2]), min=_round(row[3]), max=_round(row[4]))
    return stats


def _round(value: Any) -> Any:
    return round(float(value), 6) if value is not None else None


def _column_changes(
    before: DatasetVersion,
    after: DatasetVersion,
    stats_before: dict[str, dict[str, Any]],
    stats_after: dict[str, dict[str, Any]],
) -> list[ColumnChange]:
    old = {c.name: c for c in before.columns}
    new = {c.name: c for c in after.columns}
    changes = [
        ColumnChange(name=n, change="removed", before=stats_before.get(n))
        for n in old
        if n not in new
    ]
    changes += [
        ColumnChange(name=n, change="added", after=stats_after.get(n)) for n in new if n not in old
    ]
    for name in [n for n in new if n in old]:
        kind = "type_changed" if old[name].dtype != new[name].dtype else "changed"
        if kind == "changed" and stats_before.get(name) == stats_after.get(name):
            continue
        changes.append(
            ColumnChange(
                name=name, change=kind, before=stats_before.get(name), after=stats_after.get(name)
            )
        )
    return changes
