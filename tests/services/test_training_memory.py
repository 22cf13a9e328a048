"""The memory limit of a training job (training.memory_limit_gb), on the real LocalCluster."""

import pytest

from modelyard.domain import JobStatus
from tests.factories import churn_frame, make_dataset_version, wait_for_job


@pytest.fixture
def settings(settings):
    settings.training.memory_limit_gb = 0.1  # below what any search needs
    return settings


def test_a_search_that_cannot_fit_the_memory_limit_fails_saying_why(services, admin, tmp_path):
    version = make_dataset_version(services, admin, tmp_path, frame=churn_frame(n_rows=200))
    advice = services.training.recommend(admin, version.id, "churned")
    assert advice["memory"]["value"] == "will not fit"
    job = services.training.start(admin, version.id, "churned")
    finished = wait_for_job(services, admin, job.id)
    assert finished.status is JobStatus.FAILED
    assert finished.error_code == "automl.memory_insufficient"
    assert "memory limit of 0.1 GB" in finished.error_message
    assert "MODELYARD_TRAINING__MEMORY_LIMIT_GB" in finished.error_message
