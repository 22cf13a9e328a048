"""The REST API through the real ASGI app: auth, error shape, pagination, the whole path."""

import time

import pytest

from tests.conftest import ADMIN_PASSWORD
from tests.factories import churn_frame


def _error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def _upload(client, headers, frame=None, filename="churn.csv"):
    content = (churn_frame() if frame is None else frame).to_csv(index=False).encode()
    return client.post(
        "/api/v1/datasets", files={"file": (filename, content, "text/csv")}, headers=headers
    )


def _wait(client, headers, job_id):
    for _ in range(240):
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.25)
    raise AssertionError("job did not finish")


def test_health_readiness_metrics_and_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": True,
        "compute": True,
    }
    spec = client.get("/openapi.json").json()
    assert "/api/v1/endpoints/{name}/predict" in spec["paths"]
    assert "modelyard_http_requests_total" in client.get("/metrics").text


def test_requests_carry_a_request_id(client):
    assert (
        client.get("/healthz", headers={"x-request-id": "abc123"}).headers["x-request-id"]
        == "abc123"
    )


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer my_not-a-token"}, {"Authorization": "Basic xyz"}]
)
def test_unauthenticated_calls_get_401(client, headers):
    response = client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"].startswith("auth.")


def test_wrong_password_gets_401(client):
    _error(
        client.post("/api/v1/auth/tokens", json={"username": "admin", "password": "nope-nope"}),
        401,
        "auth.bad_credentials",
    )


def test_revoked_token_gets_401(client, auth_headers):
    token = client.post(
        "/api/v1/auth/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.delete(f"/api/v1/auth/tokens/{token['token_id']}", headers=auth_headers).json()[
        "revoked_at"
    ]
    _error(client.get("/api/v1/auth/me", headers=headers), 401, "auth.token_revoked")


def test_forbidden_actions_get_403(client, auth_headers):
    client.post(
        "/api/v1/users",
        json={"username": "vera", "password": "password-123", "role": "viewer"},
        headers=auth_headers,
    )
    token = client.post(
        "/api/v1/auth/tokens", json={"username": "vera", "password": "password-123"}
    ).json()["token"]
    viewer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/projects", headers=viewer).status_code == 200
    _error(
        client.post("/api/v1/projects", json={"name": "x"}, headers=viewer), 403, "auth.forbidden"
    )
    _error(_upload(client, viewer), 403, "auth.forbidden")


def test_malformed_json_and_invalid_bodies_get_422_in_the_error_shape(client, auth_headers):
    headers = {**auth_headers, "Content-Type": "application/json"}
    _error(
        client.post("/api/v1/projects", content=b"{not json", headers=headers),
        422,
        "request.malformed_json",
    )
    error = _error(
        client.post("/api/v1/projects", json={"description": "no name"}, headers=auth_headers),
        422,
        "request.invalid",
    )
    assert "name" in error["message"]


def test_unknown_resources_get_404(client, auth_headers):
    _error(client.get("/api/v1/jobs/999", headers=auth_headers), 404, "job.not_found")
    _error(
        client.post(
            "/api/v1/endpoints/ghost/predict", json={"records": [{}]}, headers=auth_headers
        ),
        404,
        "endpoint.not_found",
    )
    _error(client.get("/api/v1/nothing-here", headers=auth_headers), 404, "not_found")


def test_projects_paginate_and_search(client, auth_headers):
    for index in range(3):
        body = {
            "name": f"churn {index}",
            "objective": {"decision": "who to call", "target": "churned"},
        }
        assert client.post("/api/v1/projects", json=body, headers=auth_headers).status_code == 201
    _error(
        client.post("/api/v1/projects", json={"name": "churn 0"}, headers=auth_headers),
        409,
        "project.exists",
    )
    page = client.get("/api/v1/projects?limit=2&offset=0", headers=auth_headers).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    assert client.get("/api/v1/projects?search=churn 2", headers=auth_headers).json()["total"] == 1
    project_id = page["items"][0]["id"]
    patched = client.patch(
        f"/api/v1/projects/{project_id}", json={"status": "exploring"}, headers=auth_headers
    ).json()
    assert patched["status"] == "exploring"
    _error(client.get("/api/v1/projects?limit=0", headers=auth_headers), 422, "request.invalid")


@pytest.mark.parametrize(
    ("filename", "content", "code"),
    [
        ("empty.csv", b"", "dataset.empty_file"),
        ("header.csv", b"a,b\n", "dataset.no_rows"),
        ("x.bin.csv", b"\x00\x01\x02" * 100, "dataset.not_tabular"),
    ],
)
def test_bad_uploads_get_422_and_create_nothing(client, auth_headers, filename, content, code):
    response = client.post(
        "/api/v1/datasets", files={"file": (filename, content)}, headers=auth_headers
    )
    _error(response, 422, code)
    assert client.get("/api/v1/datasets", headers=auth_headers).json()["total"] == 0


def test_upload_over_the_limit_is_refused(client, auth_headers, app):
    app.state.services.settings.artifacts.max_upload_bytes = 50
    _error(_upload(client, auth_headers), 422, "dataset.too_large")


def test_the_whole_path_upload_train_register_deploy_predict(client, auth_headers):
    version = _upload(client, auth_headers).json()
    assert version["n_rows"] == 200
    assert (
        len(
            client.get(
                f"/api/v1/dataset-versions/{version['id']}/preview?limit=5", headers=auth_headers
            ).json()
        )
        == 5
    )
    _error(
        client.post(
            "/api/v1/training",
            json={"dataset_version_id": version["id"], "target": "nope"},
            headers=auth_headers,
        ),
        422,
        "training.target_unknown",
    )
    job = client.post(
        "/api/v1/training",
        json={"dataset_version_id": version["id"], "target": "churned"},
        headers=auth_headers,
    )
    assert job.status_code == 202
    finished = _wait(client, auth_headers, job.json()["id"])
    assert finished["status"] == "succeeded", finished
    run = client.get(f"/api/v1/runs/{finished['result']['run_id']}", headers=auth_headers).json()
    assert run["metrics"]["accuracy"] > 0.7
    model = client.post(
        "/api/v1/models", json={"run_id": run["id"], "name": "churn-model"}, headers=auth_headers
    ).json()
    assert model["mlflow_uri"] == "models:/churn-model/1"
    endpoint = client.post(
        "/api/v1/endpoints",
        json={"name": "churn", "model_version_id": model["id"]},
        headers=auth_headers,
    )
    assert endpoint.status_code == 201
    records = churn_frame().drop(columns="churned").head(2).to_dict(orient="records")
    prediction = client.post(
        "/api/v1/endpoints/churn/predict", json={"records": records}, headers=auth_headers
    ).json()
    assert len(prediction["predictions"]) == 2 and set(prediction["probabilities"][0]) == {
        "no",
        "yes",
    }
    assert prediction["model_name"] == "churn-model" and prediction["model_version"] == 1
    bad = {**records[0], "tenure": "long", "extra": 1}
    error = _error(
        client.post(
            "/api/v1/endpoints/churn/predict", json={"records": [bad]}, headers=auth_headers
        ),
        422,
        "predict.schema_mismatch",
    )
    assert error["details"]["problems"]
    _error(
        client.post("/api/v1/endpoints/churn/predict", json={"rows": []}, headers=auth_headers),
        422,
        "request.invalid",
    )
    audit = client.get("/api/v1/audit?action=endpoint.create", headers=auth_headers).json()
    assert audit["total"] == 1 and audit["items"][0]["actor_name"] == "admin"


def test_a_job_can_be_cancelled_over_the_api(client, auth_headers):
    version = _upload(client, auth_headers).json()
    job = client.post(
        "/api/v1/training",
        json={"dataset_version_id": version["id"], "target": "churned"},
        headers=auth_headers,
    ).json()
    response = client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=auth_headers)
    if response.status_code == 409:  # it finished first: cancelling a finished job is a conflict
        assert response.json()["error"]["code"] == "job.finished"
    else:
        assert response.status_code == 200
        assert _wait(client, auth_headers, job["id"])["status"] in ("cancelled", "succeeded")


@pytest.mark.parametrize(
    ("option", "value", "listed"),
    [
        ("imputation", "magic", "'knn' or 'iterative'"),
        ("feature_selection", "boruta", "'permutation' or 'neural'"),
        ("scaling", "log", "'minmax' or 'none'"),
    ],
)
def test_bad_preprocessing_options_get_422_listing_valid_values(
    client, auth_headers, option, value, listed
):
    version = _upload(client, auth_headers).json()
    error = _error(
        client.post(
            "/api/v1/training",
            json={
                "dataset_version_id": version["id"],
                "target": "churned",
                "options": {option: value},
            },
            headers=auth_headers,
        ),
        422,
        "request.invalid",
    )
    assert option in error["message"] and listed in error["message"]


def test_inconsistent_cost_matrix_gets_422(client, auth_headers):
    version = _upload(client, auth_headers).json()
    response = client.post(
        "/api/v1/training",
        json={
            "dataset_version_id": version["id"],
            "target": "churned",
            "options": {"cost_matrix": [[1, 0], [0, 1]]},
        },
        headers=auth_headers,
    )
    assert response.status_code == 422 and "fp > tn" in response.json()["error"]["message"]
