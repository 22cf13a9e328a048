"""Maker-checker over HTTP: the same rules, the same error shape."""

from tests.api.test_api import _error, _upload, _wait


def _token(client, username, password):
    return {
        "Authorization": "Bearer "
        + client.post(
            "/api/v1/auth/tokens", json={"username": username, "password": password}
        ).json()["token"]
    }


def test_promotion_through_the_api(client, auth_headers):
    for name, role in (("mia", "editor"), ("carl", "approver")):
        client.post(
            "/api/v1/users",
            json={"username": name, "password": "password-123", "role": role},
            headers=auth_headers,
        )
    maker, checker = _token(client, "mia", "password-123"), _token(client, "carl", "password-123")
    version = _upload(client, maker).json()
    job = client.post(
        "/api/v1/training",
        json={"dataset_version_id": version["id"], "target": "churned"},
        headers=maker,
    ).json()
    run_id = _wait(client, maker, job["id"])["result"]["run_id"]
    model = client.post("/api/v1/models", json={"run_id": run_id}, headers=maker).json()

    _error(
        client.post(
            "/api/v1/endpoints",
            json={"name": "prod", "model_version_id": model["id"], "stage": "production"},
            headers=maker,
        ),
        403,
        "endpoint.version_not_approved",
    )
    assert (
        client.put(
            f"/api/v1/models/{model['id']}/card",
            json={"fields": {"intended_use": "call list"}},
            headers=maker,
        ).json()["intended_use"]
        == "call list"
    )
    request = client.post(
        f"/api/v1/models/{model['id']}/promotions",
        json={"stage": "production", "note": "ready"},
        headers=maker,
    )
    assert request.status_code == 201
    request_id = request.json()["id"]
    assert client.get("/api/v1/approvals?status=pending", headers=checker).json()["total"] == 1
    by_version = client.get(f"/api/v1/approvals?model_version_id={model['id']}", headers=checker)
    assert [r["id"] for r in by_version.json()["items"]] == [request_id]
    _error(
        client.post(f"/api/v1/approvals/{request_id}/approve", json={}, headers=maker),
        403,
        "auth.forbidden",
    )
    approved = client.post(
        f"/api/v1/approvals/{request_id}/approve", json={"comment": "ok"}, headers=checker
    ).json()
    assert approved["status"] == "approved" and approved["decisions"][0]["approver"] == "carl"
    assert (
        client.get(f"/api/v1/models/{model['id']}", headers=maker).json()["stage"] == "production"
    )
    created = client.post(
        "/api/v1/endpoints",
        json={"name": "prod", "model_version_id": model["id"], "stage": "production"},
        headers=maker,
    )
    assert created.status_code == 201 and created.json()["stage"] == "production"
    _error(
        client.post(f"/api/v1/approvals/{request_id}/reject", json={}, headers=checker),
        409,
        "approval.decided",
    )


def test_policies_are_for_admins(client, auth_headers):
    policy = {"stage": "production", "min_approvals": 2, "metric_thresholds": {"accuracy": 0.8}}
    assert (
        client.put(
            "/api/v1/approval-policies/production", json=policy, headers=auth_headers
        ).json()["min_approvals"]
        == 2
    )
    assert client.get("/api/v1/approval-policies/production", headers=auth_headers).json()[
        "metric_thresholds"
    ] == {"accuracy": 0.8}
    _error(
        client.put(
            "/api/v1/approval-policies/archived",
            json={**policy, "stage": "archived"},
            headers=auth_headers,
        ),
        422,
        "approval.bad_stage",
    )


def _registered_model(client, headers):
    """Upload, train and register over HTTP; the dataset version and the model version."""
    version = _upload(client, headers).json()
    job = client.post(
        "/api/v1/training",
        json={"dataset_version_id": version["id"], "target": "churned"},
        headers=headers,
    ).json()
    run_id = _wait(client, headers, job["id"])["result"]["run_id"]
    return version, client.post("/api/v1/models", json={"run_id": run_id}, headers=headers).json()


def _training_job(client, headers):
    return client.get("/api/v1/jobs?kind=train", headers=headers).json()["items"][0]["id"]


def test_feedback_over_http(client, auth_headers):
    version, model = _registered_model(client, auth_headers)
    client.post(
        "/api/v1/endpoints",
        json={"name": "churn", "model_version_id": model["id"]},
        headers=auth_headers,
    )
    from tests.factories import churn_frame

    records = churn_frame().drop(columns="churned").head(2).to_dict(orient="records")
    ids = client.post(
        "/api/v1/endpoints/churn/predict", json={"records": records}, headers=auth_headers
    ).json()["prediction_ids"]
    assert (
        client.post(
            f"/api/v1/predictions/{ids[0]}/feedback", json={"actual": "yes"}, headers=auth_headers
        ).status_code
        == 201
    )
    _error(
        client.post(
            f"/api/v1/predictions/{ids[0]}/feedback", json={"actual": "no"}, headers=auth_headers
        ),
        409,
        "feedback.exists",
    )
    _error(
        client.post(
            "/api/v1/predictions/unknown/feedback", json={"actual": "no"}, headers=auth_headers
        ),
        404,
        "feedback.unknown_prediction",
    )
    assert (
        client.post(
            "/api/v1/feedback",
            json={"items": [{"prediction_id": ids[1], "actual": "no"}]},
            headers=auth_headers,
        ).status_code
        == 201
    )
    (metrics,) = client.get("/api/v1/endpoints/churn/metrics", headers=auth_headers).json()
    assert metrics["n_feedback"] == 2 and "accuracy" in metrics["metrics"]


def test_batch_scoring_over_http(client, auth_headers):
    version, model = _registered_model(client, auth_headers)
    scoring = client.post(
        "/api/v1/scoring-jobs",
        json={"model_version_id": model["id"], "dataset_version_id": version["id"]},
        headers=auth_headers,
    )
    assert scoring.status_code == 202
    _error(
        client.get(
            f"/api/v1/scoring-jobs/{_training_job(client, auth_headers)}/scores",
            headers=auth_headers,
        ),
        409,
        "scoring.not_ready",
    )
    assert _wait(client, auth_headers, scoring.json()["id"])["status"] == "succeeded"
    csv = client.get(
        f"/api/v1/scoring-jobs/{scoring.json()['id']}/scores?format=csv", headers=auth_headers
    )
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].endswith('"prediction","probability_no","probability_yes"')
    assert len(csv.text.splitlines()) == 201
