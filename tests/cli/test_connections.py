"""`modelyard connections ...`: a saved SQLite database, read-only imports from it."""

from __future__ import annotations

import json
import sqlite3

from tests.factories import churn_frame


def test_add_list_import_and_remove_a_connection(cli, tmp_path) -> None:
    source = tmp_path / "crm.db"
    with sqlite3.connect(source) as db:
        churn_frame().head(30).to_sql("customers", db, index=False)

    added = cli("connections", "add", "crm", "--url", f"sqlite:///{source}", "--json")

    assert added.exit_code == 0, added.output
    connection = json.loads(added.stdout)
    listed = cli("connections", "list")
    assert "crm" in listed.stdout and "sqlite:///" in listed.stdout
    imported = cli(
        "connections",
        "import",
        str(connection["id"]),
        "SELECT * FROM customers WHERE age > 0",
        "--dataset",
        "customers",
    )
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.startswith("Imported: dataset 1, version 1")
    version = json.loads(cli("datasets", "versions", "1", "--json").stdout)["items"][0]
    assert version["source"]["type"] == "sql_query" and 0 < version["n_rows"] < 30
    refused = cli(
        "connections", "import", str(connection["id"]), "DELETE FROM customers", "--dataset", "x"
    )
    assert refused.exit_code == 1 and "nothing that writes" in refused.stderr
    removed = cli("connections", "remove", str(connection["id"]))
    assert removed.stdout.strip() == f"Removed connection {connection['id']}."
    assert cli("connections", "list").stdout.strip() == "No connections yet."
    again = cli("connections", "remove", str(connection["id"]))
    assert again.exit_code == 1 and f"No connection with id {connection['id']}" in again.stderr


def test_a_connection_needs_exactly_one_source(cli) -> None:
    result = cli("connections", "add", "crm")

    assert result.exit_code == 1
    assert "Give either a URL or the name of an environment variable" in result.stderr
