"""The SDK passes preprocessing options to the server, and gets its errors back as classes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from modelyard.domain import JobStatus
from modelyard.errors import InvalidInputError
from modelyard.sdk import Client
from tests.conftest import ADMIN_PASSWORD
from tests.factories import write_csv

URL = "http://testserver"


@pytest.fixture
def sdk(client: TestClient) -> Client:
    return Client.login(URL, "admin", ADMIN_PASSWORD, http_client=client)


def test_options_travel_through_the_sdk(sdk: Client, tmp_path) -> None:
    version = sdk.datasets.upload(write_csv(tmp_path))
    with pytest.raises(InvalidInputError, match="knn"):
        sdk.training.start(version.id, "churned", imputation="magic")
    job = sdk.training.start(
        version.id,
        "churned",
        families=["linear"],
        scaling="robust",
        feature_selection="l1",
        threshold_metric="balanced_accuracy",
    )
    finished = sdk.jobs.wait(job.id, timeout_s=180, poll_s=0.2)
    assert finished.status is JobStatus.SUCCEEDED and finished.result is not None
    run = sdk.training.run(finished.result["run_id"])
    assert run.details["options"]["scaling"] == "robust"
    assert run.details["feature_ranking"][0]["method"] == "l1"
    assert run.details["decision_threshold"] is not None
