"""Profiling as a job, the HTML report, cleaning and sampling into new versions."""

import numpy as np
import pandas as pd
import pytest

from modelyard.domain import JobStatus
from modelyard.errors import InvalidInputError, NotFoundError
from tests.factories import churn_frame, make_dataset_version, wait_for_job


@pytest.fixture
def messy(services, admin, tmp_path):
    frame = churn_frame()
    frame["customer_id"] = np.arange(len(frame))
    frame["country"] = "NO"
    frame.loc[:19, "spend"] = None
    frame = pd.concat([frame, frame.iloc[:5]], ignore_index=True)
    return make_dataset_version(services, admin, tmp_path, name="messy", frame=frame)


def test_profiling_runs_as_a_job_and_keeps_profile_and_report(services, admin, messy):
    job = wait_for_job(
        services, admin, services.profiles.start(admin, messy.id, target="churned").id
    )
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    summary = services.profiles.latest(admin, messy.id)
    assert summary.target == "churned" and 0 < summary.quality_score < 100
    profile = summary.profile
    assert profile["n_rows"] == 205 and profile["duplicate_rows"] == 5
    spend = next(c for c in profile["columns"] if c["name"] == "spend")
    assert spend["missing"] == 25  # 20, plus the 5 repeated rows
    kinds = {s["kind"] for s in profile["suggestions"]}
    assert {"drop_constant_columns", "drop_identifier_columns", "deduplicate_rows"} <= kinds
    html = services.profiles.report_html(admin, messy.id)
    assert "customer_id" in html and "https://" not in html


def test_profile_errors(services, admin, messy):
    with pytest.raises(InvalidInputError, match="'nope' is not a column"):
        services.profiles.start(admin, messy.id, target="nope")
    with pytest.raises(NotFoundError, match="no profile yet"):
        services.profiles.latest(admin, messy.id)


def test_applying_suggestions_makes_a_clean_version_with_the_steps_in_lineage(
    services, admin, messy
):
    steps = [
        {"kind": "drop_constant_columns", "columns": ["country"]},
        {"kind": "drop_identifier_columns", "columns": ["customer_id"]},
        {"kind": "deduplicate_rows"},
        {"kind": "impute", "columns": ["spend"], "method": "median"},
    ]
    clean = services.profiles.clean(admin, messy.id, steps)
    assert clean.parent_version_id == messy.id and clean.n_rows == 200
    assert "country" not in [c.name for c in clean.columns]
    assert next(c for c in clean.columns if c.name == "spend").missing == 0
    assert [s["kind"] for s in clean.source["steps"]] == [s["kind"] for s in steps]


def test_a_step_that_does_not_fit_changes_nothing(services, admin, messy):
    with pytest.raises(InvalidInputError):
        services.profiles.clean(
            admin, messy.id, [{"kind": "impute", "columns": ["nope"], "method": "mean"}]
        )
    with pytest.raises(InvalidInputError):
        services.profiles.clean(admin, messy.id, [{"kind": "teleport"}])
    with pytest.raises(InvalidInputError, match="at least one"):
        services.profiles.clean(admin, messy.id, [])
    assert services.datasets.list_versions(admin, messy.dataset_id).total == 1


def test_samples_are_new_versions(services, admin, messy):
    sample = services.profiles.sample(
        admin, messy.id, method="stratified", size=50, column="churned", seed=1
    )
    assert sample.n_rows == 50 and sample.source["steps"][0]["method"] == "stratified"
    with pytest.raises(InvalidInputError, match="one of random"):
        services.profiles.sample(admin, messy.id, method="magic", size=5)
