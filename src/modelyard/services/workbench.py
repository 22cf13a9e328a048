"""The SQL workbench: read-only DuckDB queries over the workspace's dataset versions.

Each dataset is a table named after it (its latest version) and ``name@vN`` for version N.
Tables are registered as lazy Arrow datasets, then file access is switched off and the
configuration locked, so a query can read datasets and nothing else: no files, no writes.
Queries run with a memory limit and are interrupted at the time limit.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from modelyard.db.tables import SqlDataset, SqlDatasetVersion, SqlQuery
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, DatasetVersion, Page, Permission
from modelyard.domain.entities import QueryResult, SavedQuery
from modelyard.errors import InvalidInputError
from modelyard.ports import ArtifactStore
from modelyard.services.datasets import json_records
from modelyard.services.ingestion.writer import finish, write_batches
from modelyard.services.paging import paginate
from modelyard.services.versions import check_dataset_name, store_version, to_version

MAX_PAGE_ROWS = 1000


class WorkbenchService:
    def __init__(
        self,
        uow: UnitOfWork,
        artifacts: ArtifactStore,
        *,
        timeout_s: float = 30.0,
        memory_limit: str = "2GB",
    ) -> None:
        self._uow = uow
        self._artifacts = artifacts
        self._timeout_s = timeout_s
        self._memory_limit = memory_limit

    def run(self, actor: Actor, sql: str, *, offset: int = 0, limit: int = 100) -> QueryResult:
        """One page of a query's result, with the total row count; recorded in the history."""
        actor.require(Permission.READ, "query datasets")
        if not 1 <= limit <= MAX_PAGE_ROWS or offset < 0:
            raise InvalidInputError(
                f"limit must be 1-{MAX_PAGE_ROWS} and offset >= 0.", code="pagination.invalid"
            )
        started = time.perf_counter()
        try:
            statement = _single_select(sql)
            with self._connection(actor) as connection:
                total = _guarded(connection, self._timeout_s, f"SELECT count(*) FROM ({statement})")
                relation = f"SELECT * FROM ({statement}) LIMIT {limit} OFFSET {offset}"
                frame = _guarded(connection, self._timeout_s, relation, as_frame=True)
        except InvalidInputError as exc:
            self._record(actor, sql, status="error", error=exc.message)
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._record(actor, sql, status="ok", row_count=total, elapsed_ms=elapsed_ms)
        return QueryResult(
            columns=[str(c) for c in frame.columns],
            rows=json_records(frame),
            total_rows=total,
            offset=offset,
            limit=limit,
            elapsed_ms=elapsed_ms,
        )

    def save_result(
        self, actor: Actor, sql: str, dataset_name: str, *, project_id: int | None = None
    ) -> DatasetVersion:
        """Run a query to the end and keep its result as a new dataset version."""
        actor.require(Permission.WRITE, "save query results")
        name = check_dataset_name(dataset_name)
        statement = _single_select(sql)
        with tempfile.TemporaryDirectory(prefix="modelyard-sql-") as tmp:
            out = Path(tmp) / "data.parquet"
            with self._connection(actor) as connection:
                reader = _guarded(connection, self._timeout_s, statement, as_reader=True)
                written = write_batches(reader, reader.schema, out)
            parquet = finish(out, "the query result", written)
            with self._uow.begin() as session:
                source = {"type": "sql", "engine": "duckdb", "sql": statement}
                row = store_version(
                    session,
                    self._artifacts,
                    actor,
                    name,
                    parquet,
                    source=source,
                    project_id=project_id,
                )
                return to_version(row)

    def save_query(self, actor: Actor, name: str, sql: str) -> SavedQuery:
        actor.require(Permission.READ, "save queries")
        _single_select(sql)
        if not name.strip():
            raise InvalidInputError("A saved query needs a name.", code="sql.bad_name")
        with self._uow.begin() as session:
            row = SqlQuery(
                workspace_id=actor.workspace_id,
                user_id=actor.user_id,
                sql=sql,
                name=name.strip()[:200],
                is_saved=True,
                status="saved",
            )
            session.add(row)
            session.flush()
            return SavedQuery.model_validate(row)

    def history(
        self, actor: Actor, *, is_saved: bool = False, offset: int = 0, limit: int = 50
    ) -> Page[SavedQuery]:
        """My recent queries (newest first), or the workspace's saved ones."""
        actor.require(Permission.READ, "read the query history")
        with self._uow.begin() as session:
            query = select(SqlQuery).where(SqlQuery.workspace_id == actor.workspace_id)
            if is_saved:
                query = query.where(SqlQuery.is_saved.is_(True))
            else:
                query = query.where(SqlQuery.user_id == actor.user_id, SqlQuery.is_saved.is_(False))
            query = query.order_by(SqlQuery.id.desc())
            return paginate(session, query, SavedQuery.model_validate, offset=offset, limit=limit)

    def tables(self, actor: Actor) -> dict[str, list[str]]:
        """Table names a query can use, with their columns."""
        actor.require(Permission.READ, "query datasets")
        return {
            name: [c["name"] for c in columns]
            for name, (_key, columns) in self._tables(actor).items()
        }

    def _tables(self, actor: Actor) -> dict[str, tuple[str, list[dict[str, Any]]]]:
        with self._uow.begin() as session:
            rows = session.execute(
                select(
                    SqlDataset.name,
                    SqlDatasetVersion.version,
                    SqlDatasetVersion.artifact_path,
                    SqlDatasetVersion.columns,
                )
                .join(SqlDatasetVersion, SqlDatasetVersion.dataset_id == SqlDataset.id)
                .where(SqlDataset.workspace_id == actor.workspace_id)
                .order_by(SqlDataset.name, SqlDatasetVersion.version)
            ).all()
        tables: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        for name, version, key, columns in rows:
            tables[f"{name}@v{version}"] = (key, columns)
            tables[name] = (key, columns)  # ordered by version: the latest wins
        return tables

    @contextmanager
    def _connection(self, actor: Actor) -> Iterator[Any]:
        import duckdb

        connection = duckdb.connect(":memory:")
        try:
            for name, (key, _columns) in self._tables(actor).items():
                connection.register(name, self._artifacts.arrow_dataset(key))
            connection.execute(f"SET memory_limit='{self._memory_limit}'")
            connection.execute("SET enable_external_access=false")
            connection.execute("SET lock_configuration=true")
            yield connection
        finally:
            connection.close()

    def _record(
        self,
        actor: Actor,
        sql: str,
        *,
        status: str,
        error: str | None = None,
        row_count: int | None = None,
        elapsed_ms: float | None = None,
    ) -> None:
        with self._uow.begin() as session:
            session.add(
                SqlQuery(
                    workspace_id=actor.workspace_id,
                    user_id=actor.user_id,
                    sql=sql[:100_000],
                    status=status,
                    error=error,
                    row_count=row_count,
                    elapsed_ms=elapsed_ms,
                )
            )


def _single_select(sql: str) -> str:
    """The one read-only statement in ``sql``; anything else is refused before it runs."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise InvalidInputError(
            f"The query has a syntax error: {_first_line(exc)}", code="sql.syntax"
        ) from exc
    if len(statements) != 1:
        raise InvalidInputError(
            f"Run one statement at a time (found {len(statements)}).",
            code="sql.multiple_statements",
        )
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise InvalidInputError(
            f"Only queries that read are allowed here; this is a {statement.type.name} statement.",
            code="sql.read_only",
        )
    return statement.query.strip().rstrip(";")


def _guarded(
    connection: Any, timeout_s: float, sql: str, *, as_frame: bool = False, as_reader: bool = False
) -> Any:
    """Run ``sql``, interrupting it after ``timeout_s``; DuckDB errors become ours."""
    import duckdb

    timer = threading.Timer(timeout_s, connection.interrupt)
    timer.start()
    try:
        result = connection.execute(sql)
        if as_frame:
            return result.df()
        if as_reader:
            return result.to_arrow_reader(65536)
        return result.fetchone()[0]
    except duckdb.InterruptException as exc:
        raise InvalidInputError(
            f"The query ran longer than {timeout_s:g} s and was stopped.", code="sql.timeout"
        ) from exc
    except duckdb.OutOfMemoryException as exc:
        raise InvalidInputError(
            "The query needs more memory than allowed.", code="sql.out_of_memory"
        ) from exc
    except duckdb.Error as exc:
        raise InvalidInputError(f"The query failed: {_first_line(exc)}", code="sql.failed") from exc
    finally:
        timer.cancel()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:500]
