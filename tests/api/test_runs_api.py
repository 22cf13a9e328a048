"""Views of runs over HTTP: compare, report, export, configuration, re-run."""

import io
import time
import zipfile

import yaml

from tests.api.test_api import _error, _upload


def _wait(client, headers, job_id, timeout_s=300):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.25)
    logs = client.get(f"/api/v1/jobs/{job_id}/logs", headers=headers).json()
    raise AssertionError(f"job did not finish: {job['message']} {logs}")


def _train(client, headers, version_id):
    body = {
        "dataset_version_id": version_id,
        "target": "churned",
        # one cheap family and a slack budget: no trial is skipped for time on a busy machine
        "options": {"max_trials": 2, "families": ["linear"], "seed": 1, "time_budget_s": 120},
    }
    response = client.post("/api/v1/training", json=body, headers=headers)
    assert response.status_code == 202, response.text
    job = _wait(client, headers, response.json()["id"])
    assert job["status"] == "succeeded", job
    return job["result"]["run_id"]


def test_a_run_reruns_the_same_and_compares_reports_and_exports(client, auth_headers):
    h = auth_headers
    version_id = _upload(client, h).json()["id"]
    run_id = _train(client, h, version_id)

    config = client.get(f"/api/v1/runs/{run_id}/config.yaml", headers=h)
    assert config.status_code == 200
    parsed = yaml.safe_load(config.text)
    assert parsed["dataset_version_id"] == version_id and parsed["target"] == "churned"
    assert parsed["options"]["seed"] == 1 and parsed["options"]["max_trials"] == 2

    rerun = client.post(f"/api/v1/runs/{run_id}/rerun", headers=h)
    assert rerun.status_code == 202, rerun.text
    job = _wait(client, h, rerun.json()["id"])
    second = job["result"]["run_id"]
    first_run = client.get(f"/api/v1/runs/{run_id}", headers=h).json()
    second_run = client.get(f"/api/v1/runs/{second}", headers=h).json()

    def board(run):
        return [(t["family"], t["params"], t["val_score"]) for t in run["details"]["leaderboard"]]

    assert board(first_run) == board(second_run)
    assert first_run["details"]["evaluation"]["roc"]

    compared = client.get(f"/api/v1/runs/compare?ids={run_id},{second}", headers=h)
    assert compared.status_code == 200, compared.text
    body = compared.json()
    assert body["run_ids"] == [run_id, second]
    assert {row["metric"] for row in body["metrics"]} >= {"roc_auc", "accuracy"}
    assert len(body["curves"]["roc"]) == 2 and body["params"] == []

    html = client.get(f"/api/v1/runs/{run_id}/report?format=html", headers=h)
    assert html.status_code == 200 and "Leaderboard" in html.text
    assert "data:image/png;base64," in html.text
    pdf = client.get(f"/api/v1/runs/{run_id}/report?format=pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    exported = client.get(f"/api/v1/runs/{run_id}/export.zip", headers=h)
    assert exported.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert "artifacts/model/MLmodel" in names and "artifacts/leaderboard.csv" in names
    assert "artifacts/plots/roc.png" in names and "run.json" in names


def test_run_views_refuse_bad_requests(client, auth_headers):
    h = auth_headers
    _error(client.get("/api/v1/runs/compare?ids=1", headers=h), 422, "run.compare_count")
    _error(client.get("/api/v1/runs/compare?ids=1,x", headers=h), 422, "run.compare_ids")
    _error(client.get("/api/v1/runs/999/report", headers=h), 404, "run.not_found")
    _error(client.get("/api/v1/runs/999/config.yaml", headers=h), 404, "run.not_found")
    _error(client.post("/api/v1/runs/999/rerun", headers=h), 404, "run.not_found")
    bad = client.post(
        "/api/v1/runs/from-config",
        content=b"target: [unclosed",
        headers={**h, "Content-Type": "application/yaml"},
    )
    _error(bad, 422, "run_config.invalid_yaml")
    missing = client.post(
        "/api/v1/runs/from-config",
        content=b"target: churned\n",
        headers={**h, "Content-Type": "application/yaml"},
    )
    assert "dataset_version_id" in _error(missing, 422, "run_config.missing")["message"]
    assert client.get("/api/v1/jobs", headers=h).json()["total"] == 0
