"""Endpoint traffic over HTTP: weights, canary, rollback, history, served-at, stats, errors."""

from datetime import UTC, datetime

from tests.api.test_api import _error
from tests.api.test_approvals_api import _registered_model, _token
from tests.factories import churn_frame

RECORDS = churn_frame().drop(columns="churned").head(2).to_dict(orient="records")


def _user(client, headers, name, role):
    client.post(
        "/api/v1/users",
        json={"username": name, "password": "password-123", "role": role},
        headers=headers,
    )
    return _token(client, name, "password-123")


def test_traffic_through_the_api(client, auth_headers):
    h = auth_headers
    _, v1 = _registered_model(client, h)
    run_id = v1["run_id"]
    v2 = client.post("/api/v1/models", json={"run_id": run_id}, headers=h).json()
    client.post(
        "/api/v1/endpoints", json={"name": "churn", "model_version_id": v1["id"]}, headers=h
    )
    before = datetime.now(UTC).isoformat()
    url = "/api/v1/endpoints/churn"

    body = {
        "arms": [
            {"model_version_id": v1["id"], "weight": 80},
            {"model_version_id": v2["id"], "weight": 20},
        ],
        "note": "A/B",
    }
    response = client.put(f"{url}/traffic", json=body, headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == 2
    answered = {
        client.post(
            f"{url}/predict", json={"records": RECORDS, "routing_key": f"k{i}"}, headers=h
        ).json()["model_version"]
        for i in range(40)
    }
    assert answered == {v1["version"], v2["version"]}

    bad = {"arms": [{"model_version_id": v1["id"], "weight": 70}]}
    _error(client.put(f"{url}/traffic", json=bad, headers=h), 422, "traffic.weights_sum")
    unknown = {"arms": [{"model_version_id": 9999, "weight": 100}]}
    _error(client.put(f"{url}/traffic", json=unknown, headers=h), 404, "model.not_found")
    viewer = _user(client, h, "vera", "viewer")
    _error(client.put(f"{url}/traffic", json=body, headers=viewer), 403, "auth.forbidden")

    canary = client.post(
        f"{url}/canary", json={"model_version_id": v2["id"], "steps": [10]}, headers=h
    )
    assert canary.status_code == 409  # v2 is live already
    rolled = client.post(f"{url}/rollback", json={"note": "back"}, headers=h).json()
    assert [a["model_version_id"] for a in rolled["arms"]] == [v1["id"]]
    canary = client.post(
        f"{url}/canary", json={"model_version_id": v2["id"], "steps": [10]}, headers=h
    ).json()
    assert {a["model_version_id"]: a["weight"] for a in canary["arms"]} == {
        v1["id"]: 90,
        v2["id"]: 10,
    }
    done = client.post(f"{url}/canary/advance", headers=h).json()
    assert done["action"] == "canary.complete"
    _error(client.post(f"{url}/canary/abort", headers=h), 409, "traffic.no_canary")

    history = client.get(f"{url}/history", headers=viewer).json()
    assert [r["revision"] for r in history] == [5, 4, 3, 2, 1]
    assert history[2]["note"] == "back" and history[2]["action"] == "rollback"
    served = client.get(f"{url}/served-at", params={"at": before}, headers=viewer).json()
    assert served["revision"] == 1
    stats = client.get(f"{url}/traffic-stats", params={"window_s": 600}, headers=viewer).json()
    assert sum(a["requests"] for a in stats["arms"]) == 80
    current = client.get(f"{url}/traffic", headers=viewer).json()
    assert current["revision"] == 5


def test_rollback_without_history_and_unapproved_versions(client, auth_headers):
    h = auth_headers
    _, v1 = _registered_model(client, h)
    v2 = client.post("/api/v1/models", json={"run_id": v1["run_id"]}, headers=h).json()
    checker = _user(client, h, "carl", "approver")
    request = client.post(
        f"/api/v1/models/{v1['id']}/promotions",
        json={"stage": "production", "note": "ready"},
        headers=h,
    ).json()
    client.post(
        f"/api/v1/approvals/{request['id']}/approve", json={"comment": "ok"}, headers=checker
    )
    created = client.post(
        "/api/v1/endpoints",
        headers=h,
        json={"name": "prod", "model_version_id": v1["id"], "stage": "production"},
    )
    assert created.status_code == 201, created.text
    _error(
        client.post("/api/v1/endpoints/prod/rollback", headers=h),
        409,
        "traffic.no_previous_revision",
    )
    body = {
        "arms": [
            {"model_version_id": v1["id"], "weight": 50},
            {"model_version_id": v2["id"], "weight": 50},
        ]
    }
    _error(
        client.put("/api/v1/endpoints/prod/traffic", json=body, headers=h),
        403,
        "endpoint.version_not_approved",
    )
    (revision,) = client.get("/api/v1/endpoints/prod/history", headers=h).json()
    assert revision["arms"][0]["approval"]["approvers"] == ["carl"]
