"""Saved connections against the real PostgreSQL server on this machine (skipped without one)."""

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from modelyard.db.tables import SqlConnection
from modelyard.errors import ConflictError, InvalidInputError, PermissionDeniedError

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def source_table():
    """A real table with 120 rows in its own schema; dropped afterwards."""
    schema = f"src_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
            connection.execute(
                text(
                    f"CREATE TABLE {schema}.customers (id int, city text, spend numeric(8,2), active boolean)"
                )
            )
            connection.execute(
                text(
                    f"INSERT INTO {schema}.customers SELECT g, CASE WHEN g % 2 = 0 THEN 'Oslo' ELSE 'Rome' END, g * 1.5, g % 3 = 0 FROM generate_series(1, 120) g"
                )
            )
    except OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    yield f"{schema}.customers"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_a_query_on_a_saved_connection_becomes_a_dataset_version(services, admin, source_table):
    connection = services.connections.create(
        admin, "warehouse", url=PG_URL.replace("postgres@", "postgres:s3cret@")
    )
    assert connection.url_display == "postgresql+psycopg://postgres:***@127.0.0.1:5432/test"
    sql = f"SELECT id, city, spend, active FROM {source_table} ORDER BY id"
    version = services.connections.import_query(admin, connection.id, sql, "customers")
    assert (version.n_rows, [c.name for c in version.columns]) == (
        120,
        ["id", "city", "spend", "active"],
    )
    assert version.source == {"type": "sql_query", "connection": "warehouse", "sql": sql}
    assert services.datasets.preview(admin, version.id, limit=1)[0] == {
        "id": 1,
        "city": "Rome",
        "spend": 1.5,
        "active": False,
    }
    with services.uow.begin() as session:
        stored = session.get(SqlConnection, connection.id).url_encrypted
    assert "s3cret" not in stored


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM {t}",
        "UPDATE {t} SET city = 'x'",
        "SELECT 1; DROP TABLE {t}",
        "CREATE TABLE x AS SELECT 1",
    ],
)
def test_statements_that_write_are_refused_and_nothing_changes(services, admin, source_table, sql):
    connection = services.connections.create(admin, "warehouse", url=PG_URL)
    with pytest.raises(InvalidInputError, match="nothing that writes") as info:
        services.connections.import_query(admin, connection.id, sql.format(t=source_table), "x")
    assert info.value.code == "sql.read_only"
    with create_engine(PG_URL).connect() as check:
        assert check.execute(text(f"SELECT count(*) FROM {source_table}")).scalar() == 120


def test_writes_hidden_in_reading_queries_are_refused_by_the_database(
    services, admin, source_table
):
    connection = services.connections.create(admin, "warehouse", url=PG_URL)
    schema = source_table.split(".")[0]
    with create_engine(PG_URL).begin() as setup:
        setup.execute(text(f"CREATE SEQUENCE {schema}.ids"))
    with pytest.raises(InvalidInputError, match="read-only transaction"):
        services.connections.import_query(
            admin, connection.id, f"SELECT nextval('{schema}.ids')", "x"
        )
    sql = f"WITH gone AS (DELETE FROM {source_table} RETURNING id) SELECT * FROM gone"
    with pytest.raises(InvalidInputError, match="refused the query"):
        services.connections.import_query(admin, connection.id, sql, "x")
    with create_engine(PG_URL).connect() as check:
        assert check.execute(text(f"SELECT count(*) FROM {source_table}")).scalar() == 120
        assert check.execute(text(f"SELECT last_value FROM {schema}.ids")).scalar() == 1
    assert services.datasets.list(admin).total == 0


def test_query_errors_and_bad_connections(services, admin, viewer, monkeypatch, source_table):
    connection = services.connections.create(admin, "warehouse", url=PG_URL)
    with pytest.raises(InvalidInputError, match="refused the query") as info:
        services.connections.import_query(admin, connection.id, "SELECT nope FROM nowhere", "x")
    assert info.value.code == "sql.failed"
    with pytest.raises(ConflictError):
        services.connections.create(admin, "warehouse", url=PG_URL)
    with pytest.raises(InvalidInputError, match="not a database URL"):
        services.connections.create(admin, "broken", url="not a url")
    with pytest.raises(InvalidInputError, match="not set on the server"):
        services.connections.create(admin, "from-env", env_var="MODELYARD_NO_SUCH_VARIABLE")
    with pytest.raises(PermissionDeniedError):
        services.connections.create(viewer, "mine", url=PG_URL)
    assert [c.name for c in services.connections.list(admin).items] == ["warehouse"]
    assert services.datasets.list(admin).total == 0


def test_a_connection_can_name_an_environment_variable(services, admin, source_table):
    services.connections._environment = {"WAREHOUSE_URL": PG_URL}
    connection = services.connections.create(admin, "env-warehouse", env_var="WAREHOUSE_URL")
    assert connection.url_env_var == "WAREHOUSE_URL"
    version = services.connections.import_query(
        admin, connection.id, f"SELECT count(*) AS n FROM {source_table}", "counts"
    )
    assert services.datasets.preview(admin, version.id) == [{"n": 120}]
