"""A/B tests over HTTP: the same rules, the same error shape."""

from tests.abtest_data import log_ab_traffic
from tests.api.test_api import _error, _upload, _wait
from tests.api.test_approvals_api import _token


def test_ab_tests_through_the_api(client, auth_headers):
    client.post(
        "/api/v1/users",
        json={"username": "vic", "password": "password-123", "role": "viewer"},
        headers=auth_headers,
    )
    viewer = _token(client, "vic", "password-123")
    version = _upload(client, auth_headers).json()
    job = client.post(
        "/api/v1/training",
        json={"dataset_version_id": version["id"], "target": "churned"},
        headers=auth_headers,
    ).json()
    run_id = _wait(client, auth_headers, job["id"])["result"]["run_id"]
    a, b = (
        client.post("/api/v1/models", json={"run_id": run_id}, headers=auth_headers).json()["id"]
        for _ in range(2)
    )
    endpoint = client.post(
        "/api/v1/endpoints", json={"name": "churn", "model_version_id": a}, headers=auth_headers
    ).json()

    def create(headers=auth_headers, **fields):
        body = {"endpoint": "churn", "control_version_id": a, "treatment_version_id": b}
        return client.post("/api/v1/ab-tests", json=body | fields, headers=headers)

    _error(create(treatment_version_id=999), 404, "model.not_found")
    _error(create(treatment_version_id=a), 422, "ab_test.same_version")
    _error(create(metric="rmse"), 422, "ab_test.bad_metric")
    _error(create(headers=viewer), 403, "auth.forbidden")
    _error(client.get("/api/v1/ab-tests/42", headers=viewer), 404, "ab_test.not_found")

    created = create(min_samples=50, name="v2 challenge")
    assert created.status_code == 201, created.text
    test = created.json()
    assert (test["status"], test["metric"], test["name"]) == ("running", "accuracy", "v2 challenge")
    listed = client.get("/api/v1/ab-tests?endpoint=churn", headers=viewer).json()
    assert [t["id"] for t in listed["items"]] == [test["id"]]
    assert client.get(f"/api/v1/ab-tests/{test['id']}", headers=viewer).json() == test

    promote = f"/api/v1/ab-tests/{test['id']}/promote-winner"
    _error(client.post(promote, json={}, headers=auth_headers), 409, "ab_test.no_winner")

    services = client.app.state.services
    admin = services.users.resolve_token(auth_headers["Authorization"].removeprefix("Bearer "))
    log_ab_traffic(services, admin, endpoint["id"], {a: 0.5, b: 0.9}, n=120)
    results = client.get(f"/api/v1/ab-tests/{test['id']}/results", headers=viewer).json()
    assert results["decision"] == "treatment" and results["winner_version_id"] == b
    assert [arm["n_feedback"] for arm in results["arms"]] == [120, 120]
    assert results["p_value"] <= 0.05 and results["difference_lower"] > 0
    assert set(results["series"]) == {"control", "treatment"}

    _error(client.post(promote, json={}, headers=viewer), 403, "auth.forbidden")
    concluded = client.post(promote, json={"note": "B wins"}, headers=auth_headers)
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["status"] == "concluded"
    request_id = concluded.json()["promotion_request_id"]
    request = client.get(f"/api/v1/approvals?model_version_id={b}", headers=viewer).json()
    assert [(r["id"], r["status"]) for r in request["items"]] == [(request_id, "pending")]
    _error(
        client.post(f"/api/v1/ab-tests/{test['id']}/stop", headers=auth_headers),
        409,
        "ab_test.bad_state",
    )
