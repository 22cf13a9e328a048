"""The whole path from the command line: upload -> train -> register -> deploy -> predict."""

from __future__ import annotations

import csv
import json

import pytest

from tests.factories import churn_frame, write_csv


def test_upload_train_register_deploy_and_predict_to_a_csv(cli, tmp_path) -> None:
    uploaded = cli("datasets", "upload", str(write_csv(tmp_path)), "--name", "churn", "--json")
    version = json.loads(uploaded.stdout)
    trained = cli("train", str(version["id"]), "--target", "churned", "--wait")
    assert trained.exit_code == 0, trained.output
    assert "accuracy" in trained.stdout and "Register the model with" in trained.stdout
    run = json.loads(cli("jobs", "list", "--json").stdout)["items"][0]["result"]
    model = json.loads(cli("models", "register", str(run["run_id"]), "--json").stdout)
    deployed = cli("deploy", str(model["id"]), "--name", "churn")
    assert deployed.exit_code == 0, deployed.output
    features = tmp_path / "features.csv"
    churn_frame(n_rows=5, seed=1).drop(columns="churned").to_csv(features, index=False)

    predicted = cli("predict", "churn", str(features), "--out", str(tmp_path / "predictions.csv"))

    assert predicted.exit_code == 0, predicted.output
    with (tmp_path / "predictions.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["prediction", "probability_no", "probability_yes"]
    assert len(rows) == 5
    for row in rows:
        assert row["prediction"] in {"no", "yes"}
        assert float(row["probability_no"]) + float(row["probability_yes"]) == pytest.approx(1)


def test_train_without_waiting_returns_the_queued_job(cli, tmp_path) -> None:
    version = json.loads(cli("datasets", "upload", str(write_csv(tmp_path)), "--json").stdout)

    started = cli("train", str(version["id"]), "--target", "churned", "--no-wait", "--json")

    job = json.loads(started.stdout)
    assert job["kind"] == "train" and job["status"] in {"queued", "running"}
    cancelled = cli("jobs", "cancel", str(job["id"]), "--json")
    assert cancelled.exit_code == 0, cancelled.output
    assert json.loads(cancelled.stdout)["id"] == job["id"]


def test_train_with_an_unknown_target_says_which_columns_exist(cli, tmp_path) -> None:
    version = json.loads(cli("datasets", "upload", str(write_csv(tmp_path)), "--json").stdout)

    result = cli("train", str(version["id"]), "--target", "nope")

    assert result.exit_code == 1
    assert "The target column 'nope' is not in this dataset version" in result.stderr
    assert "tenure" in result.stderr
