"""`modelyard sql ...`: the read-only SQL workbench over datasets, against the real app."""

from __future__ import annotations

import json

import pytest

from tests.factories import write_csv


@pytest.fixture
def churn(cli, tmp_path) -> dict:
    uploaded = cli("datasets", "upload", str(write_csv(tmp_path)), "--name", "churn", "--json")
    assert uploaded.exit_code == 0, uploaded.output
    return json.loads(uploaded.stdout)


GROUP_BY = "SELECT plan, count(*) AS n FROM churn GROUP BY plan ORDER BY plan"


def test_query_prints_a_table_and_json(cli, churn) -> None:
    table = cli("sql", "query", GROUP_BY)
    page = cli("sql", "query", GROUP_BY, "--limit", "1", "--offset", "1", "--json")

    assert table.exit_code == 0, table.output
    assert table.stdout.split()[:2] == ["plan", "n"] and "premium" in table.stdout
    assert "Rows 1-2 of 2 in" in table.stdout
    result = json.loads(page.stdout)
    assert result["columns"] == ["plan", "n"] and result["total_rows"] == 2
    assert [row["plan"] for row in result["rows"]] == ["premium"]


def test_a_query_that_writes_is_refused(cli, churn) -> None:
    result = cli("sql", "query", "DELETE FROM churn")

    assert result.exit_code == 1
    assert "Only queries that read are allowed here" in result.stderr
    assert json.loads(cli("sql", "query", "SELECT count(*) AS n FROM churn", "--json").stdout)[
        "rows"
    ] == [{"n": 200}]
    error = json.loads(cli("sql", "query", "SELEC 1", "--json").stdout)["error"]
    assert error["code"] == "sql.syntax"


def test_save_a_result_as_a_dataset_and_see_it_as_a_table(cli, churn) -> None:
    saved = cli("sql", "save", "SELECT * FROM churn WHERE plan = 'basic'", "--dataset", "basic")

    assert saved.exit_code == 0, saved.output
    assert "Saved the result as: dataset 2, version 1" in saved.stdout
    datasets = json.loads(cli("datasets", "list", "--json").stdout)["items"]
    assert {d["name"] for d in datasets} == {"churn", "basic"}
    tables = json.loads(cli("sql", "tables", "--json").stdout)
    assert {"churn", "churn@v1", "basic"} <= set(tables) and "tenure" in tables["basic"]
    assert "churn@v1" in cli("sql", "tables").stdout
    pinned = cli("sql", "query", 'SELECT count(*) AS n FROM "churn@v1"', "--json")
    assert json.loads(pinned.stdout)["rows"] == [{"n": 200}]


def test_history_and_remembered_queries(cli, churn) -> None:
    cli("sql", "query", GROUP_BY)
    remembered = cli("sql", "remember", "plans", "SELECT DISTINCT plan FROM churn", "--json")

    assert remembered.exit_code == 0, remembered.output
    assert json.loads(remembered.stdout)["name"] == "plans"
    history = cli("sql", "history")
    assert "GROUP BY plan" in history.stdout and "ok" in history.stdout
    saved = json.loads(cli("sql", "history", "--saved", "--json").stdout)
    assert [q["name"] for q in saved["items"]] == ["plans"]
