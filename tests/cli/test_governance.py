"""Governance from the command line: model cards, maker-checker promotions, stage-bound
deployments, feedback with live metrics, batch scoring and training recommendations."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

import modelyard
from modelyard.domain import Role
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.settings import Settings, TrainingSettings
from tests.cli.conftest import Invoke, make_invoke
from tests.conftest import ADMIN_PASSWORD, TRAINING_BUDGET_S
from tests.factories import PASSWORD, churn_frame, write_csv


@dataclass(frozen=True)
class Governed:
    """A trained, registered model behind the development endpoint ``churn``.

    ``maker`` is the admin who trained it; ``checker`` an approver who did not.
    """

    maker: Invoke
    checker: Invoke
    sdk: modelyard.Client
    model_version_id: int
    dataset_version_id: int


@pytest.fixture(scope="module")
def governed(
    tmp_path_factory: pytest.TempPathFactory, dask_compute: DaskCompute
) -> Iterator[Governed]:
    from modelyard.app import create_app

    root = tmp_path_factory.mktemp("governed")
    settings = Settings(
        home=root / "home",
        environment="test",
        admin_user="admin",
        admin_password=ADMIN_PASSWORD,
        training=TrainingSettings(default_time_budget_s=TRAINING_BUDGET_S, default_max_trials=3),
    )
    with TestClient(create_app(settings, compute=dask_compute, with_ui=False)) as http:
        sdk = modelyard.Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=http)
        sdk.users.create("abby", PASSWORD, Role.APPROVER)
        checker = modelyard.Client.login("http://testserver", "abby", PASSWORD, http_client=http)
        maker = make_invoke(sdk, root / "maker-home")
        version = sdk.datasets.upload(write_csv(root), "churn")
        trained = maker(
            "train",
            str(version.id),
            "--target",
            "churned",
            "--time-budget",
            "20",
            "--max-trials",
            "2",
            "--json",
        )
        assert trained.exit_code == 0, trained.output
        model = sdk.models.register(json.loads(trained.stdout)["id"])
        sdk.endpoints.create("churn", model.id)
        yield Governed(
            maker, make_invoke(checker, root / "checker-home"), sdk, model.id, version.id
        )


def test_a_promotion_needs_another_approver_then_reaches_production(governed) -> None:
    model_id = str(governed.model_version_id)
    early = governed.maker("deploy", model_id, "--name", "churn-prod", "--stage", "production")
    assert early.exit_code == 1 and "Request a promotion first" in early.stderr
    card = governed.maker("models", "card", model_id, "--set", "intended_use=Call churners first")
    assert card.exit_code == 0, card.output
    assert "intended_use: Call churners first" in card.stdout

    asked = governed.maker("models", "promote", model_id, "--stage", "production", "--json")
    assert asked.exit_code == 0, asked.output
    request = json.loads(asked.stdout)
    assert (request["status"], request["target_stage"]) == ("pending", "production")

    own = governed.maker("approvals", "approve", str(request["id"]))
    assert own.exit_code == 1
    assert "another approver must decide it (maker-checker)" in own.stderr

    inbox = governed.checker("approvals", "list", "--status", "pending")
    assert inbox.exit_code == 0, inbox.output
    assert "production" in inbox.stdout and "pending" in inbox.stdout

    approved = governed.checker("approvals", "approve", str(request["id"]), "--comment", "ok")
    assert approved.exit_code == 0, approved.output
    assert "approved" in approved.stdout and "abby approved: ok" in approved.stdout
    shown = json.loads(governed.maker("models", "show", model_id, "--json").stdout)
    assert shown["stage"] == "production"
    deployed = governed.maker("deploy", model_id, "--name", "churn-prod", "--stage", "production")
    assert deployed.exit_code == 0, deployed.output
    assert "production" in deployed.stdout


def test_the_maker_withdraws_and_an_admin_sets_a_policy(governed) -> None:
    shown = governed.maker("approvals", "policy", "staging")
    assert shown.exit_code == 0, shown.output
    assert "min approvals:  1" in shown.stdout

    changed = governed.maker(
        "approvals", "policy", "staging", "--min-approvals", "2",
        "--threshold", "accuracy=0.1", "--require-card", "limitations", "--json",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    policy = json.loads(changed.stdout)
    assert policy["min_approvals"] == 2 and policy["metric_thresholds"] == {"accuracy": 0.1}
    assert policy["required_card_fields"] == ["limitations"]

    asked = governed.maker("models", "promote", str(governed.model_version_id), "--stage",
                           "staging", "--note", "try it", "--json")  # fmt: skip
    request_id = str(json.loads(asked.stdout)["id"])
    detail = governed.checker("approvals", "show", request_id)
    assert "FAIL model card: limitations (empty)" in detail.stdout
    withdrawn = governed.maker("approvals", "withdraw", request_id, "--json")
    assert json.loads(withdrawn.stdout)["status"] == "withdrawn"
    again = governed.checker("approvals", "reject", request_id)
    assert again.exit_code == 1 and "already withdrawn" in again.stderr


def test_a_threshold_without_a_value_is_a_usage_error(governed) -> None:
    result = governed.maker("approvals", "policy", "staging", "--threshold", "accuracy")

    assert result.exit_code == 2
    assert "is not METRIC=VALUE" in result.output


def test_feedback_sent_and_uploaded_shows_in_the_live_metrics(governed, tmp_path) -> None:
    rows = churn_frame(n_rows=3, seed=2)
    answer = governed.sdk.endpoints.predict("churn", rows.drop(columns="churned"))
    first, *rest = answer.prediction_ids

    sent = governed.maker("feedback", "send", first, str(rows["churned"].iloc[0]))
    assert sent.exit_code == 0, sent.output
    upload = tmp_path / "feedback.csv"
    pairs = zip(rest, rows["churned"].iloc[1:], strict=True)
    upload.write_text(
        "prediction_id,actual\n" + "".join(f"{pid},{value}\n" for pid, value in pairs)
    )
    uploaded = governed.maker("feedback", "upload", str(upload))
    assert uploaded.exit_code == 0, uploaded.output
    assert "Stored feedback for 2 predictions." in uploaded.stdout

    metrics = json.loads(governed.maker("feedback", "metrics", "churn", "--json").stdout)
    assert metrics[0]["n_feedback"] == 3 and "accuracy" in metrics[0]["metrics"]
    table = governed.maker("feedback", "metrics", "churn")
    assert "accuracy=" in table.stdout


def test_feedback_for_an_unknown_prediction_is_refused(governed) -> None:
    result = governed.maker("feedback", "send", "no-such-prediction", "yes")

    assert result.exit_code == 1
    assert "no prediction with id 'no-such-prediction'" in result.stderr


def test_a_feedback_file_without_the_actual_column_names_it(governed, tmp_path) -> None:
    upload = tmp_path / "feedback.csv"
    upload.write_text("prediction_id,label\nabc,yes\n")

    result = governed.maker("feedback", "upload", str(upload))

    assert result.exit_code == 1
    assert "lacks actual" in result.stderr


def test_score_waits_then_writes_a_csv_with_probabilities(governed, tmp_path) -> None:
    out = tmp_path / "scores.csv"

    result = governed.maker(
        "score", str(governed.model_version_id), str(governed.dataset_version_id),
        "--wait", "--out", str(out),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Scored 200 rows" in result.stdout and str(out) in result.stdout
    with out.open() as fh:
        scored = list(csv.DictReader(fh))
    assert len(scored) == 200
    assert {"prediction", "probability_no", "probability_yes"} <= set(scored[0])
    assert not list(tmp_path.glob(".*partial"))


def test_score_to_an_unknown_format_starts_nothing(governed, tmp_path) -> None:
    jobs_before = governed.sdk.jobs.list().total

    result = governed.maker("score", "1", "1", "--out", str(tmp_path / "scores.xlsx"))

    assert result.exit_code == 1
    assert "--out must end in .csv or .parquet" in result.stderr
    assert governed.sdk.jobs.list().total == jobs_before


def test_recommend_prints_each_suggestion_with_its_reason(governed) -> None:
    result = governed.maker("recommend", str(governed.dataset_version_id), "--target", "churned")

    assert result.exit_code == 0, result.output
    assert "task: classification - " in result.stdout
    assert "metric: " in result.stdout and "validation: " in result.stdout
    assert "memory: ~" in result.stdout and "memory estimate" in result.stdout
    as_json = json.loads(
        governed.maker(
            "recommend", str(governed.dataset_version_id), "--target", "churned", "--json"
        ).stdout
    )
    assert as_json["task"]["reason"]
