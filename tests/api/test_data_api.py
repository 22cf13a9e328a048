"""Dataset extras over HTTP: dictionary, types, diff, lineage, SQL workbench, connections."""

import pandas as pd

from tests.api.test_api import _error, _upload
from tests.factories import churn_frame


def test_dictionary_types_diff_and_lineage(client, auth_headers):
    first = _upload(client, auth_headers).json()
    dictionary = {"description": "Months as a customer", "unit": "months", "role": "feature"}
    dataset = client.put(
        f"/api/v1/datasets/{first['dataset_id']}/dictionary/tenure",
        json=dictionary,
        headers=auth_headers,
    )
    assert dataset.status_code == 200 and dataset.json()["dictionary"]["tenure"]["unit"] == "months"
    _error(
        client.put(
            f"/api/v1/datasets/{first['dataset_id']}/dictionary/nope",
            json=dictionary,
            headers=auth_headers,
        ),
        422,
        "dataset.unknown_column",
    )
    fixed = client.post(
        f"/api/v1/dataset-versions/{first['id']}/types",
        json={"kinds": {"is_online": "categorical"}},
        headers=auth_headers,
    )
    assert fixed.status_code == 201 and fixed.json()["parent_version_id"] == first["id"]
    _error(
        client.post(
            f"/api/v1/dataset-versions/{first['id']}/types",
            json={"kinds": {"plan": "integer"}},
            headers=auth_headers,
        ),
        422,
        "dataset.cast_failed",
    )
    diff = client.get(
        f"/api/v1/dataset-versions/{first['id']}/diff/{fixed.json()['id']}", headers=auth_headers
    ).json()
    assert [c["name"] for c in diff["columns"]] == ["is_online"] and diff["columns"][0][
        "change"
    ] == "type_changed"
    lineage = client.get(
        f"/api/v1/dataset-versions/{fixed.json()['id']}/lineage", headers=auth_headers
    ).json()
    assert [a["id"] for a in lineage["ancestors"]] == [first["id"]]


def test_sql_workbench_over_http(client, auth_headers):
    _upload(client, auth_headers)
    result = client.post(
        "/api/v1/sql/query",
        json={"sql": "SELECT plan, count(*) AS n FROM churn GROUP BY 1 ORDER BY 1", "limit": 1},
        headers=auth_headers,
    ).json()
    assert result["total_rows"] == 2 and len(result["rows"]) == 1
    _error(
        client.post("/api/v1/sql/query", json={"sql": "DROP TABLE churn"}, headers=auth_headers),
        422,
        "sql.read_only",
    )
    saved = client.post(
        "/api/v1/sql/results",
        json={"sql": "SELECT * FROM churn WHERE plan = 'basic'", "dataset_name": "basic customers"},
        headers=auth_headers,
    )
    assert saved.status_code == 201 and saved.json()["source"]["type"] == "sql"
    assert set(client.get("/api/v1/sql/tables", headers=auth_headers).json()) >= {
        "churn",
        "basic customers",
    }
    client.post(
        "/api/v1/sql/saved",
        json={"name": "plans", "sql": "SELECT DISTINCT plan FROM churn"},
        headers=auth_headers,
    )
    assert client.get("/api/v1/sql/history?saved=true", headers=auth_headers).json()["total"] == 1
    assert client.get("/api/v1/sql/history", headers=auth_headers).json()["total"] == 2


def test_connections_over_http(client, auth_headers, tmp_path):
    source = tmp_path / "source.db"
    import sqlite3

    with sqlite3.connect(source) as db:
        pd.DataFrame(churn_frame().head(30)).to_sql("customers", db, index=False)
    created = client.post(
        "/api/v1/connections",
        json={"name": "local", "url": f"sqlite:///{source}"},
        headers=auth_headers,
    )
    assert created.status_code == 201
    connection_id = created.json()["id"]
    imported = client.post(
        f"/api/v1/connections/{connection_id}/import",
        json={"sql": "SELECT * FROM customers", "dataset_name": "imported"},
        headers=auth_headers,
    )
    assert imported.status_code == 201 and imported.json()["n_rows"] == 30
    _error(
        client.post(
            f"/api/v1/connections/{connection_id}/import",
            json={"sql": "DELETE FROM customers", "dataset_name": "x"},
            headers=auth_headers,
        ),
        422,
        "sql.read_only",
    )
    assert client.get("/api/v1/connections", headers=auth_headers).json()["total"] == 1
    assert (
        client.delete(f"/api/v1/connections/{connection_id}", headers=auth_headers).status_code
        == 204
    )
    _error(
        client.delete(f"/api/v1/connections/{connection_id}", headers=auth_headers),
        404,
        "connection.not_found",
    )


def test_background_upload_returns_a_job(client, auth_headers):
    from tests.api.test_api import _wait

    content = churn_frame().to_csv(index=False).encode()
    response = client.post(
        "/api/v1/datasets/jobs", files={"file": ("big.csv", content)}, headers=auth_headers
    )
    assert response.status_code == 202 and response.json()["kind"] == "ingest"
    job = _wait(client, auth_headers, response.json()["id"])
    assert job["status"] == "succeeded" and job["result"]["version"] == 1


def test_profile_report_cleaning_and_sampling_over_http(client, auth_headers):
    from tests.api.test_api import _wait

    version = _upload(client, auth_headers).json()
    base = f"/api/v1/dataset-versions/{version['id']}"
    _error(client.get(f"{base}/profile", headers=auth_headers), 404, "profile.not_found")
    job = client.post(f"{base}/profile", json={"target": "churned"}, headers=auth_headers)
    assert job.status_code == 202
    assert _wait(client, auth_headers, job.json()["id"])["status"] == "succeeded"
    profile = client.get(f"{base}/profile", headers=auth_headers).json()
    assert profile["profile"]["target"] is not None and 0 <= profile["quality_score"] <= 100
    report = client.get(f"{base}/profile/report", headers=auth_headers)
    assert (
        report.headers["content-type"].startswith("text/html")
        and "attachment" in report.headers["content-disposition"]
    )
    cleaned = client.post(
        f"{base}/clean", json={"steps": [{"kind": "deduplicate_rows"}]}, headers=auth_headers
    )
    assert cleaned.status_code in (200, 201)
    _error(
        client.post(f"{base}/clean", json={"steps": [{"kind": "nope"}]}, headers=auth_headers),
        422,
        "cleaning.bad_step",
    )
    sample = client.post(
        f"{base}/sample", json={"method": "random", "size": 20}, headers=auth_headers
    )
    assert sample.status_code == 201 and sample.json()["n_rows"] == 20
