import pytest

from modelyard.errors import InvalidInputError, PermissionDeniedError
from tests.factories import churn_frame, make_dataset_version


@pytest.fixture
def churn(services, admin, tmp_path):
    return make_dataset_version(services, admin, tmp_path)


def test_datasets_are_tables_by_name_and_by_version(services, admin, churn, tmp_path):
    make_dataset_version(services, admin, tmp_path, frame=churn_frame().head(50))
    result = services.workbench.run(
        admin, "SELECT plan, count(*) AS n FROM churn GROUP BY plan ORDER BY plan"
    )
    assert result.columns == ["plan", "n"] and sum(r["n"] for r in result.rows) == 50
    assert services.workbench.run(admin, 'SELECT count(*) AS n FROM "churn@v1"').rows == [
        {"n": 200}
    ]
    assert set(services.workbench.tables(admin)) == {"churn", "churn@v1", "churn@v2"}


def test_results_are_paginated_with_a_total(services, admin, churn):
    page = services.workbench.run(
        admin, "SELECT * FROM churn ORDER BY tenure", offset=190, limit=50
    )
    assert page.total_rows == 200 and len(page.rows) == 10


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("SELEC 1", "sql.syntax"),
        ("DELETE FROM churn", "sql.read_only"),
        ("CREATE TABLE x AS SELECT 1", "sql.read_only"),
        ("COPY churn TO '/tmp/out.csv'", "sql.read_only"),
        ("SELECT 1; SELECT 2", "sql.multiple_statements"),
        ("SELECT * FROM read_csv('/etc/passwd')", "sql.failed"),
        ("SELECT * FROM no_such_table", "sql.failed"),
    ],
)
def test_anything_but_one_reading_query_is_refused(services, admin, churn, sql, code):
    with pytest.raises(InvalidInputError) as info:
        services.workbench.run(admin, sql)
    assert info.value.code == code
    last = services.workbench.history(admin).items[0]
    assert (last.sql, last.status, last.error) == (sql, "error", info.value.message)


def test_a_query_over_the_time_limit_is_stopped(services, admin, churn):
    services.workbench._timeout_s = 0.5
    with pytest.raises(InvalidInputError, match="longer than 0.5 s") as info:
        services.workbench.run(admin, "SELECT count(*) FROM range(10000000000) a")
    assert info.value.code == "sql.timeout"


def test_a_result_becomes_a_dataset_version_with_its_query_in_lineage(
    services, admin, churn, viewer
):
    sql = "SELECT plan, avg(spend) AS spend FROM churn GROUP BY plan"
    version = services.workbench.save_result(admin, sql, "spend by plan")
    assert version.n_rows == 2 and version.source == {"type": "sql", "engine": "duckdb", "sql": sql}
    with pytest.raises(PermissionDeniedError):
        services.workbench.save_result(viewer, sql, "mine")


def test_history_and_saved_queries(services, admin, churn):
    services.workbench.run(admin, "SELECT 1 AS one")
    saved = services.workbench.save_query(admin, "all churn", "SELECT * FROM churn")
    assert [q.sql for q in services.workbench.history(admin).items] == ["SELECT 1 AS one"]
    assert [q.id for q in services.workbench.history(admin, is_saved=True).items] == [saved.id]
    with pytest.raises(InvalidInputError):
        services.workbench.save_query(admin, "bad", "DROP TABLE churn")
