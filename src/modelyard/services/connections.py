"""Saved SQL database connections, and queries on them that become dataset versions.

A connection keeps its SQLAlchemy URL encrypted (Fernet, keyed from the server secret) or
names an environment variable that holds it; the password is never shown back. Queries
are read-only twice over: only a single reading statement is accepted, and it runs in a
read-only transaction where the database supports one (PostgreSQL, MySQL, SQLite).
"""

from __future__ import annotations

import base64
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlConnection
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, DatasetVersion, Page, Permission
from modelyard.domain.entities import ConnectionInfo
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore
from modelyard.services.audit import record_event
from modelyard.services.ingestion.writer import finish, write_batches
from modelyard.services.paging import paginate
from modelyard.services.versions import check_dataset_name, store_version, to_version

_READING = re.compile(r"^\s*(\(\s*)*(select|with|values|table)\b", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_BATCH_ROWS = 50_000


class ConnectionService:
    def __init__(
        self,
        uow: UnitOfWork,
        artifacts: ArtifactStore,
        *,
        secret: str,
        environment: dict[str, str],
        timeout_s: int = 300,
    ) -> None:
        self._uow = uow
        self._artifacts = artifacts
        self._fernet_key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
        self._environment = environment
        self._timeout_s = timeout_s

    def create(
        self, actor: Actor, name: str, *, url: str | None = None, env_var: str | None = None
    ) -> ConnectionInfo:
        """Save a connection from a URL (kept encrypted) or the name of an env variable."""
        actor.require(Permission.WRITE, "add database connections")
        if not _NAME.match(name):
            raise InvalidInputError(
                "A connection name has 1-100 letters, digits, '_', '.' or '-'.",
                code="connection.bad_name",
            )
        if (url is None) == (env_var is None):
            raise InvalidInputError(
                "Give either a URL or the name of an environment variable holding it.",
                code="connection.bad_source",
            )
        display = _display(url if url is not None else self._from_env(env_var or ""))
        with self._uow.begin() as session:
            exists = session.scalar(
                select(SqlConnection.id).where(
                    SqlConnection.workspace_id == actor.workspace_id, SqlConnection.name == name
                )
            )
            if exists:
                raise ConflictError(
                    f"A connection named {name!r} exists.", code="connection.exists"
                )
            row = SqlConnection(
                workspace_id=actor.workspace_id,
                name=name,
                url_display=display,
                url_encrypted=self._encrypt(url) if url is not None else None,
                url_env_var=env_var,
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            record_event(
                session, actor, "connection.create", ("connection", row.id), {"name": name}
            )
            return ConnectionInfo.model_validate(row)

    def list(self, actor: Actor, *, offset: int = 0, limit: int = 50) -> Page[ConnectionInfo]:
        actor.require(Permission.READ, "list database connections")
        with self._uow.begin() as session:
            query = (
                select(SqlConnection)
                .where(SqlConnection.workspace_id == actor.workspace_id)
                .order_by(SqlConnection.name)
            )
            return paginate(
                session, query, ConnectionInfo.model_validate, offset=offset, limit=limit
            )

    def delete(self, actor: Actor, connection_id: int) -> None:
        actor.require(Permission.WRITE, "remove database connections")
        with self._uow.begin() as session:
            row = _row(session, actor, connection_id)
            session.delete(row)
            record_event(
                session,
                actor,
                "connection.delete",
                ("connection", connection_id),
                {"name": row.name},
            )

    def import_query(
        self,
        actor: Actor,
        connection_id: int,
        sql: str,
        dataset_name: str,
        *,
        project_id: int | None = None,
    ) -> DatasetVersion:
        """Run a reading query on the connection; its result is a new dataset version."""
        actor.require(Permission.WRITE, "import data from databases")
        name = check_dataset_name(dataset_name)
        if not _READING.match(sql) or ";" in sql.strip().rstrip(";"):
            raise InvalidInputError(
                "Only one query that reads (SELECT / WITH ...) is allowed; nothing that writes.",
                code="sql.read_only",
            )
        with self._uow.begin() as session:
            row = _row(session, actor, connection_id)
            url = self._url(row)
        with tempfile.TemporaryDirectory(prefix="modelyard-import-") as tmp:
            out = Path(tmp) / "data.parquet"
            parquet = finish(out, "the query result", self._fetch(url, sql, out))
            with self._uow.begin() as session:
                source = {"type": "sql_query", "connection": row.name, "sql": sql}
                version = store_version(
                    session,
                    self._artifacts,
                    actor,
                    name,
                    parquet,
                    source=source,
                    project_id=project_id,
                )
                return to_version(version)

    def _fetch(self, url: str, sql: str, out: Path) -> Any:
        engine = create_engine(url, pool_pre_ping=True)
        try:
            with engine.connect() as connection:
                _read_only(connection, self._timeout_s)
                result = connection.execution_options(stream_results=True).execute(text(sql))
                names = list(result.keys())
                batches = (_to_batch(names, chunk) for chunk in result.partitions(_BATCH_ROWS))
                first = next(batches, None)
                if first is None:
                    first = pa.RecordBatch.from_pylist(
                        [], schema=pa.schema([(n, pa.null()) for n in names])
                    )
                return write_batches(_conform(first, batches), first.schema, out)
        except DBAPIError as exc:
            raise InvalidInputError(
                f"The database refused the query: {_first_line(exc.orig)}", code="sql.failed"
            ) from exc
        except SQLAlchemyError as exc:
            raise InvalidInputError(
                f"The query failed: {_first_line(exc)}", code="sql.failed"
            ) from exc
        finally:
            engine.dispose()

    def _encrypt(self, url: str) -> str:
        from cryptography.fernet import Fernet

        _display(url)  # validates
        return Fernet(self._fernet_key).encrypt(url.encode()).decode()

    def _url(self, row: SqlConnection) -> str:
        if row.url_env_var:
            return self._from_env(row.url_env_var)
        from cryptography.fernet import Fernet, InvalidToken

        try:
            return Fernet(self._fernet_key).decrypt((row.url_encrypted or "").encode()).decode()
        except InvalidToken as exc:
            raise InvalidInputError(
                f"The stored URL of {row.name!r} cannot be decrypted (the server secret changed); "
                "save the connection again.",
                code="connection.undecryptable",
            ) from exc

    def _from_env(self, env_var: str) -> str:
        value = self._environment.get(env_var)
        if not value:
            raise InvalidInputError(
                f"The environment variable {env_var!r} is not set on the server.",
                code="connection.env_missing",
            )
        return value


def _row(session: Session, actor: Actor, connection_id: int) -> SqlConnection:
    row = session.get(SqlConnection, connection_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No connection with id {connection_id}.", code="connection.not_found")
    return row


def _display(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError as exc:
        raise InvalidInputError(
            "That is not a database URL; expected e.g. postgresql+psycopg://user:pw@host/db.",
            code="connection.bad_url",
        ) from exc


def _read_only(connection: Connection, timeout_s: int) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SET TRANSACTION READ ONLY"))
        connection.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
    elif dialect in ("mysql", "mariadb"):
        connection.execute(text("SET TRANSACTION READ ONLY"))
    elif dialect == "sqlite":
        connection.execute(text("PRAGMA query_only = ON"))


def _to_batch(names: list[str], rows: Any) -> pa.RecordBatch:
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    arrays = []
    for values in columns:
        try:
            array = pa.array(list(values))
            if pa.types.is_decimal(array.type):
                array = array.cast(pa.float64())  # models and profiles want floats
            arrays.append(array)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays.append(pa.array([None if v is None else str(v) for v in values], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _conform(first: pa.RecordBatch, rest: Any) -> Any:
    yield first
    for batch in rest:
        try:
            yield batch.cast(first.schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InvalidInputError(
                "A column changes type part-way through the result; cast it in the query.",
                code="sql.unstable_types",
            ) from exc


def _first_line(exc: Any) -> str:
    return str(exc).strip().splitlines()[0][:500]
