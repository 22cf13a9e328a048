"""The SQL workbench and database connections, from the pages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.services.container import Services
from tests.factories import make_dataset_version
from tests.ui.conftest import WAIT, eventually, sign_in


def only(user: User, kind: type, marker: str):
    (element,) = user.find(kind=kind, marker=marker).elements
    return element


def write_sql(user: User, sql: str) -> None:
    only(user, ui.codemirror, "sql-editor").set_value(sql)


def text_of(user: User, marker: str) -> str:
    """The label's text; empty while it is hidden (the simulated user finds visible ones)."""
    try:
        return only(user, ui.label, marker).text
    except AssertionError:
        return ""


async def test_running_a_query_and_paging_through_its_result(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    make_dataset_version(app_services, admin, tmp_path, name="churn")  # 200 rows
    await sign_in(user)
    user.find(marker="nav-sql").click()
    await user.should_see(marker="sql-editor", retries=WAIT)
    assert only(user, ui.codemirror, "sql-editor").value == 'SELECT * FROM "churn" LIMIT 100'
    await user.should_see("Queries you run appear here.")

    write_sql(user, 'SELECT tenure, plan FROM "churn" ORDER BY tenure')
    user.find(marker="run-sql").click()
    await eventually(lambda: text_of(user, "sql-page") == "Rows 1-50 of 200")
    assert "200 rows" in text_of(user, "sql-status")
    results = only(user, ui.table, "sql-results")
    assert [c["name"] for c in results.columns] == ["tenure", "plan"]
    first_page = [row["tenure"] for row in results.rows]
    assert first_page == sorted(first_page) and len(first_page) == 50

    user.find(marker="sql-next").click()
    await eventually(lambda: text_of(user, "sql-page") == "Rows 51-100 of 200")
    assert results.rows[0]["tenure"] >= first_page[-1]
    user.find(marker="sql-previous").click()
    await eventually(lambda: text_of(user, "sql-page") == "Rows 1-50 of 200")

    with user.scope(marker="query-history"):
        await user.should_see("ORDER BY tenure")
        await user.should_see("200 rows")


async def test_a_query_that_writes_is_refused_with_a_readable_message(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    make_dataset_version(app_services, admin, tmp_path, name="churn")
    await sign_in(user)
    await user.open("/sql")
    write_sql(user, 'DELETE FROM "churn"')
    user.find(marker="run-sql").click()
    await user.should_see(
        "Only queries that read are allowed here; this is a DELETE statement.", retries=WAIT
    )
    await user.should_not_see(marker="sql-results")
    write_sql(user, "SELEC 1")
    user.find(marker="run-sql").click()
    await user.should_see("The query has a syntax error", retries=WAIT)
    assert app_services.workbench.run(admin, 'SELECT count(*) AS n FROM "churn"').rows == [
        {"n": 200}
    ]


async def test_saving_a_result_as_a_dataset_opens_it(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    make_dataset_version(app_services, admin, tmp_path, name="churn")
    await sign_in(user)
    await user.open("/sql")
    write_sql(user, 'SELECT plan, count(*) AS customers FROM "churn" GROUP BY plan')
    user.find(marker="result-name").type("plans")
    user.find(marker="save-result").click()
    await user.should_see(marker="dataset-name-heading", retries=WAIT)
    await user.should_see("plans")
    with user.scope(marker="version-rows"):
        await user.should_see("2")
    with user.scope(marker="lineage"):
        await user.should_see("SQL workbench query")


async def test_saved_queries_and_tables_load_into_the_editor(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    make_dataset_version(app_services, admin, tmp_path, name="churn")
    await sign_in(user)
    await user.open("/sql")
    write_sql(user, 'SELECT count(*) FROM "churn"')
    user.find(marker="query-name").type("how many")
    user.find(marker="save-query").click()
    await user.should_see("Saved the query 'how many'.", retries=WAIT)
    (saved,) = app_services.workbench.history(admin, is_saved=True).items

    write_sql(user, "")
    user.find(marker="sql-tree").trigger("update:selected", "churn")
    assert only(user, ui.codemirror, "sql-editor").value == 'SELECT * FROM "churn" LIMIT 100'
    user.find(marker=f"saved-{saved.id}").click()
    assert only(user, ui.codemirror, "sql-editor").value == 'SELECT count(*) FROM "churn"'


def people_database(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE people (name TEXT, age INTEGER)")
        connection.executemany(
            "INSERT INTO people VALUES (?, ?)", [("Ada", 36), ("Alan", 41), ("Grace", 45)]
        )
    return path


async def test_adding_a_sqlite_connection_and_importing_a_query(user: User, tmp_path: Path) -> None:
    database = people_database(tmp_path)
    await sign_in(user)
    await user.open("/connections")
    await user.should_see(marker="connections-empty")
    user.find(marker="connection-name").type("crm")
    user.find(marker="connection-url").type(f"sqlite:///{database}")
    user.find(marker="add-connection").click()
    await user.should_see(marker="connection-crm", retries=WAIT)

    assert list(only(user, ui.select, "import-connection").options.values()) == ["crm"]
    only(user, ui.codemirror, "import-sql").set_value("SELECT name, age FROM people WHERE age > 40")
    user.find(marker="import-name").type("seniors")
    user.find(marker="import-query").click()
    await user.should_see(marker="dataset-name-heading", retries=WAIT)
    await user.should_see("seniors")
    with user.scope(marker="version-rows"):
        await user.should_see("2")


async def test_a_connection_never_shows_its_password_and_can_be_removed(user: User) -> None:
    await sign_in(user)
    await user.open("/connections")
    user.find(marker="connection-name").type("warehouse")
    user.find(marker="connection-url").type("postgresql+psycopg://bob:s3cret-pw@db.example/sales")
    user.find(marker="add-connection").click()
    await user.should_see(marker="connection-warehouse", retries=WAIT)
    with user.scope(marker="connections"):
        await user.should_see("bob:***@db.example/sales")
        await user.should_not_see("s3cret-pw")

    user.find(marker="delete-connection-warehouse").click()
    await user.should_see(marker="connections-empty", retries=WAIT)


async def test_a_write_in_an_import_is_refused(user: User, tmp_path: Path) -> None:
    database = people_database(tmp_path)
    await sign_in(user)
    await user.open("/connections")
    user.find(marker="connection-name").type("crm")
    user.find(marker="connection-url").type(f"sqlite:///{database}")
    user.find(marker="add-connection").click()
    await user.should_see(marker="connection-crm", retries=WAIT)
    only(user, ui.codemirror, "import-sql").set_value("DELETE FROM people")
    user.find(marker="import-name").type("gone")
    user.find(marker="import-query").click()
    await user.should_see("Only one query that reads", retries=WAIT)
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM people").fetchone() == (3,)
