"""Explanations through the HTTP API and the CLI (real app, real models)."""

import json

from modelyard.cli.main import app as cli_app  # noqa: F401  (the CLI under test)
from tests.cli.conftest import make_invoke
from tests.factories import churn_frame, write_csv


def _deploy(sdk, tmp_path, family: str, name: str) -> None:  # type: ignore[no-untyped-def]
    version = sdk.datasets.upload(write_csv(tmp_path, name=f"{family}.csv"), f"data-{family}")
    job = sdk.training.start(
        version.id, "churned", time_budget_s=30, families=[family], max_trials=2, ensemble=False
    )
    finished = sdk.jobs.wait(job.id, timeout_s=180)
    assert finished.result is not None, finished.error_message
    sdk.endpoints.create(name, sdk.models.register(finished.result["run_id"]).id)


def test_explain_over_http_sdk_and_cli(client, auth_headers, tmp_path):
    import modelyard
    from tests.conftest import ADMIN_PASSWORD

    sdk = modelyard.Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=client)
    _deploy(sdk, tmp_path, "lightgbm", "churn")
    records = churn_frame(seed=4).drop(columns="churned").head(3).to_dict(orient="records")

    body = {"records": records, "explain": True, "top_k": 3}
    response = client.post("/api/v1/endpoints/churn/predict", json=body, headers=auth_headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert len(result["contributions"]) == 3
    assert all(len(row) == 3 for row in result["contributions"])
    row = result["contributions"][0]
    assert [abs(v) for v in row.values()] == sorted((abs(v) for v in row.values()), reverse=True)
    plain = client.post(
        "/api/v1/endpoints/churn/predict", json={"records": records}, headers=auth_headers
    ).json()
    assert plain["contributions"] is None and plain["predictions"] == result["predictions"]

    via_sdk = sdk.endpoints.predict("churn", records, explain=True, top_k=2)
    assert via_sdk.contributions is not None and all(len(r) == 2 for r in via_sdk.contributions)

    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    invoke = make_invoke(sdk, tmp_path / "cli-home")
    shown = invoke("endpoints", "predict", "churn", str(path), "--explain", "--top-k", "2")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("prediction,probability_") and "record 2: " in shown.output
    as_json = invoke("endpoints", "predict", "churn", str(path), "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.output)["contributions"] is None

    _deploy(sdk, tmp_path, "knn", "near")  # no tree SHAP: sampled Shapley values
    near = client.post("/api/v1/endpoints/near/predict", json=body, headers=auth_headers)
    assert near.status_code == 200, near.text
    assert [len(row) for row in near.json()["contributions"]] == [3, 3, 3]
    bad_k = client.post(
        "/api/v1/endpoints/churn/predict", json={**body, "top_k": 0}, headers=auth_headers
    )
    assert bad_k.status_code == 422
