"""The SDK's dataset extras, SQL workbench and connections against the real app in-process."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from modelyard.domain import Dataset, DatasetVersion, Job, JobKind, JobStatus, Lineage, VersionDiff
from modelyard.domain.entities import ConnectionInfo, ProfileSummary, QueryResult, SavedQuery
from modelyard.errors import InvalidInputError, NotFoundError
from modelyard.sdk import Client
from tests.conftest import ADMIN_PASSWORD
from tests.factories import churn_frame, write_csv


@pytest.fixture
def sdk(client: TestClient) -> Client:
    return Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=client)


@pytest.fixture
def messy(sdk: Client, tmp_path) -> DatasetVersion:
    frame = churn_frame(n_rows=120)
    frame["customer_id"] = np.arange(len(frame))
    frame["country"] = "NO"
    frame.loc[:9, "spend"] = None
    return sdk.datasets.upload(write_csv(tmp_path, pd.concat([frame, frame.iloc[:4]])), "messy")


def test_profile_suggestions_clean_report_diff_and_lineage(sdk: Client, messy, tmp_path) -> None:
    with pytest.raises(NotFoundError, match="no profile yet"):
        sdk.datasets.get_profile(messy.id)
    job = sdk.datasets.profile(messy.id, target="churned")
    assert isinstance(job, Job) and job.kind is JobKind.PROFILE
    assert sdk.jobs.wait(job.id, timeout_s=120).status is JobStatus.SUCCEEDED

    summary = sdk.datasets.get_profile(messy.id)
    steps = sdk.datasets.suggestions(messy.id)
    clean = sdk.datasets.clean(messy.id, steps)

    assert isinstance(summary, ProfileSummary) and summary.target == "churned"
    assert summary.profile is not None and summary.profile["n_rows"] == 124
    assert 0 < summary.quality_score < 100
    assert {"drop_constant_columns", "deduplicate_rows"} <= {step["kind"] for step in steps}
    assert (clean.version, clean.parent_version_id, clean.n_rows) == (2, messy.id, 120)
    diff = sdk.datasets.diff(messy.id, clean.id)
    assert isinstance(diff, VersionDiff) and (diff.rows_before, diff.rows_after) == (124, 120)
    assert {c.name for c in diff.columns if c.change == "removed"} == {"country", "customer_id"}
    lineage = sdk.datasets.lineage(clean.id)
    assert isinstance(lineage, Lineage) and [v.id for v in lineage.ancestors] == [messy.id]
    assert [s["kind"] for s in lineage.version.source["steps"]] == [s["kind"] for s in steps]
    report = sdk.datasets.download_report(messy.id, tmp_path / "report.html")
    assert "<html" in report.read_text(encoding="utf-8").lower()
    with pytest.raises(NotFoundError):
        sdk.datasets.download_report(clean.id, tmp_path / "none.html")
    assert not (tmp_path / "none.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_sample_types_and_dictionary(sdk: Client, tmp_path) -> None:
    first = sdk.datasets.upload(write_csv(tmp_path))

    sample = sdk.datasets.sample(first.id, "stratified", 40, seed=1, column="churned")
    cast = sdk.datasets.change_types(first.id, {"is_online": "categorical"})
    sdk.datasets.update_dictionary(first.dataset_id, "tenure", description="Months as a customer")
    described = sdk.datasets.update_dictionary(first.dataset_id, "tenure", unit="months")

    assert (sample.n_rows, sample.source["steps"][0]["method"]) == (40, "stratified")
    assert {c.name: c.kind for c in cast.columns}["is_online"] == "categorical"
    assert isinstance(described, Dataset)
    entry = described.dictionary["tenure"]
    assert (entry.description, entry.unit, entry.role) == ("Months as a customer", "months", "")
    with pytest.raises(InvalidInputError) as bad_method:
        sdk.datasets.sample(first.id, "magic", 5)
    assert bad_method.value.code == "sample.bad_method"
    with pytest.raises(InvalidInputError) as bad_step:
        sdk.datasets.clean(first.id, [{"kind": "teleport"}])
    assert bad_step.value.code == "cleaning.bad_step"
    assert sdk.datasets.versions(first.dataset_id).total == 3


def test_upload_one_sheet_of_an_excel_file(sdk: Client, tmp_path) -> None:
    workbook = tmp_path / "book.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"a": [1, 2]}).to_excel(writer, sheet_name="first", index=False)
        churn_frame(n_rows=30).to_excel(writer, sheet_name="second", index=False)

    version = sdk.datasets.upload(workbook, "book", sheet="second")

    assert (version.n_rows, version.n_columns) == (30, 7)


def test_upload_in_the_background_returns_the_job(sdk: Client, tmp_path) -> None:
    job = sdk.datasets.upload(write_csv(tmp_path), "big", background=True)

    assert isinstance(job, Job) and job.kind is JobKind.INGEST
    finished = sdk.jobs.wait(job.id, timeout_s=120)
    assert finished.status is JobStatus.SUCCEEDED and finished.result is not None
    version = sdk.datasets.version(finished.result["dataset_version_id"])
    assert (version.n_rows, version.source["filename"]) == (200, "churn.csv")


def test_sql_workbench(sdk: Client, tmp_path) -> None:
    sdk.datasets.upload(write_csv(tmp_path), "churn")
    group_by = "SELECT plan, count(*) AS n FROM churn GROUP BY plan ORDER BY plan"

    page = sdk.sql.query(group_by, limit=1)
    frame = sdk.query("SELECT tenure, plan FROM churn ORDER BY tenure")
    window = sdk.sql.frame("SELECT tenure FROM churn ORDER BY tenure", offset=10, limit=5)
    saved = sdk.sql.save_result("SELECT * FROM churn WHERE plan = 'basic'", "basic")

    assert isinstance(page, QueryResult) and (page.total_rows, len(page.rows)) == (2, 1)
    assert isinstance(frame, pd.DataFrame) and frame.shape == (200, 2)
    assert list(frame.columns) == ["tenure", "plan"] and frame["tenure"].is_monotonic_increasing
    assert window["tenure"].tolist() == frame["tenure"].iloc[10:15].tolist()
    assert saved.source["type"] == "sql" and saved.n_rows == (frame["plan"] == "basic").sum()
    assert {"churn", "churn@v1", "basic"} <= set(sdk.sql.tables())
    with pytest.raises(InvalidInputError) as refused:
        sdk.sql.query("DELETE FROM churn")
    assert refused.value.code == "sql.read_only"
    remembered = sdk.sql.save("plans", "SELECT DISTINCT plan FROM churn")
    assert isinstance(remembered, SavedQuery) and remembered.is_saved
    assert [q.name for q in sdk.sql.history(saved=True).items] == ["plans"]
    assert [q.status for q in sdk.sql.history().items][:1] == ["error"]  # newest first


def test_connections_import_read_only_queries(sdk: Client, tmp_path) -> None:
    source = tmp_path / "crm.db"
    with sqlite3.connect(source) as db:
        churn_frame().head(30).to_sql("customers", db, index=False)

    connection = sdk.connections.create("crm", url=f"sqlite:///{source}")
    imported = sdk.connections.import_query(connection.id, "SELECT * FROM customers", "customers")

    assert isinstance(connection, ConnectionInfo) and connection.url_display.startswith("sqlite")
    assert sdk.connections.list().items == [connection]
    assert imported.n_rows == 30 and imported.source["connection"] == "crm"
    with pytest.raises(InvalidInputError) as refused:
        sdk.connections.import_query(connection.id, "DELETE FROM customers", "x")
    assert refused.value.code == "sql.read_only"
    sdk.connections.delete(connection.id)
    assert sdk.connections.list().total == 0
    with pytest.raises(NotFoundError):
        sdk.connections.delete(connection.id)
