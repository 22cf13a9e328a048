"""Unsupervised training options over HTTP: bad values get 422 in the error shape."""

import numpy as np
import pandas as pd

from tests.api.test_api import _error, _upload


def _frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(60, 2)), columns=["a", "b"])


def test_contamination_outside_zero_to_half_gets_422_and_no_job(client, auth_headers):
    version = _upload(client, auth_headers, _frame(), "points.csv").json()
    for contamination in (0, 0.6):
        body = {
            "dataset_version_id": version["id"],
            "options": {"task": "anomaly", "contamination": contamination},
        }
        error = _error(
            client.post("/api/v1/training", json=body, headers=auth_headers), 422, "request.invalid"
        )
        assert "contamination" in str(error)
    assert client.get("/api/v1/jobs", headers=auth_headers).json()["total"] == 0


def test_supervised_training_without_target_gets_422(client, auth_headers):
    version = _upload(client, auth_headers, _frame(), "points.csv").json()
    body = {"dataset_version_id": version["id"]}
    error = _error(
        client.post("/api/v1/training", json=body, headers=auth_headers),
        422,
        "training.target_required",
    )
    assert "clustering" in error["message"]


def test_clustering_is_recommended_without_a_target(client, auth_headers):
    version = _upload(client, auth_headers, _frame(), "points.csv").json()
    advice = client.get(
        f"/api/v1/dataset-versions/{version['id']}/recommendation", headers=auth_headers
    ).json()
    assert advice["task"]["value"] == "clustering"
