"""Governance through the SDK against the real app: cards, maker-checker promotions,
stage-bound endpoints, feedback, batch scoring and recommendations, with the server's
error classes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from modelyard.domain import JobStatus, Role
from modelyard.domain.approvals import Policy, Stage
from modelyard.errors import ConflictError, InvalidInputError, PermissionDeniedError
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.sdk import Client
from modelyard.settings import Settings, TrainingSettings
from tests.conftest import ADMIN_PASSWORD, TRAINING_BUDGET_S
from tests.factories import PASSWORD, churn_frame, write_csv

URL = "http://testserver"


@dataclass(frozen=True)
class Governed:
    maker: Client
    checker: Client
    model_version_id: int
    dataset_version_id: int


@pytest.fixture(scope="module")
def governed(
    tmp_path_factory: pytest.TempPathFactory, dask_compute: DaskCompute
) -> Iterator[Governed]:
    from modelyard.app import create_app

    root = tmp_path_factory.mktemp("sdk-governed")
    settings = Settings(
        home=root / "home",
        environment="test",
        admin_user="admin",
        admin_password=ADMIN_PASSWORD,
        training=TrainingSettings(default_time_budget_s=TRAINING_BUDGET_S, default_max_trials=3),
    )
    with TestClient(create_app(settings, compute=dask_compute, with_ui=False)) as http:
        maker = Client.login(URL, "admin", ADMIN_PASSWORD, http_client=http)
        maker.users.create("abby", PASSWORD, Role.APPROVER)
        checker = Client.login(URL, "abby", PASSWORD, http_client=http)
        version = maker.datasets.upload(write_csv(root), "churn")
        job = maker.training.start(version.id, "churned", time_budget_s=20, seed=1, max_trials=2)
        assert job.params["options"]["max_trials"] == 2
        job = maker.jobs.wait(job.id, timeout_s=180)
        assert job.result is not None, job.error_message
        model = maker.models.register(job.result["run_id"])
        maker.endpoints.create("churn", model.id)
        yield Governed(maker, checker, model.id, version.id)


def test_a_promotion_is_decided_by_another_approver(governed: Governed) -> None:
    maker, checker, model_id = governed.maker, governed.checker, governed.model_version_id
    with pytest.raises(PermissionDeniedError, match="Request a promotion first"):
        maker.endpoints.create("churn-prod", model_id, stage="production")
    with pytest.raises(InvalidInputError):
        maker.endpoints.create("churn-x", model_id, stage="nowhere")
    assert maker.models.update_card(model_id, intended_use="Call churners first") == {
        "intended_use": "Call churners first"
    }
    request = maker.approvals.request(model_id, Stage.PRODUCTION, note="beats v0")
    with pytest.raises(ConflictError) as twice:
        maker.approvals.request(model_id, "production")
    assert twice.value.code == "approval.pending"

    with pytest.raises(PermissionDeniedError) as own:
        maker.approvals.approve(request.id)
    assert own.value.code == "approval.maker_cannot_decide"
    assert [r.id for r in checker.approvals.list("pending").items] == [request.id]
    assert checker.approvals.list(model_version_id=request.model_version_id).total == 1

    approved = checker.approvals.approve(request.id, comment="ok")

    assert approved.status == "approved" and approved.decisions[0].approver == "abby"
    assert maker.approvals.get(request.id).decided_at is not None
    assert maker.models.get(model_id).stage == "production"
    with pytest.raises(ConflictError):
        checker.approvals.reject(request.id)
    assert maker.endpoints.create("churn-prod", model_id, stage="production").stage == "production"


def test_policies_are_read_and_replaced_and_a_maker_withdraws(governed: Governed) -> None:
    maker, checker = governed.maker, governed.checker
    assert maker.approvals.policy("staging") == Policy(stage=Stage.STAGING)
    with pytest.raises(PermissionDeniedError):
        checker.approvals.set_policy("staging", min_approvals=2)

    policy = maker.approvals.set_policy(
        "staging", min_approvals=2, metric_thresholds={"accuracy": 0.1}
    )

    assert (policy.min_approvals, policy.metric_thresholds) == (2, {"accuracy": 0.1})
    request = maker.approvals.request(governed.model_version_id, "staging")
    assert request.required_approvals == 2
    assert maker.approvals.withdraw(request.id).status == "withdrawn"
    with pytest.raises(ConflictError):
        checker.approvals.approve(request.id)


def test_feedback_turns_into_live_metrics(governed: Governed) -> None:
    rows = churn_frame(n_rows=4, seed=3)
    answer = governed.maker.endpoints.predict("churn", rows.drop(columns="churned"))
    ids, actual = answer.prediction_ids, list(rows["churned"])

    one = governed.maker.feedback.record(ids[0], actual[0])
    many = governed.maker.feedback.record_many(
        {"prediction_id": pid, "actual": value}
        for pid, value in zip(ids[1:], actual[1:], strict=True)
    )

    assert one.actual == {"value": actual[0]} and len(many) == 3
    with pytest.raises(ConflictError):
        governed.maker.feedback.record(ids[0], actual[0])
    (metrics,) = governed.maker.feedback.metrics("churn")
    assert metrics.n_feedback == 4 and "accuracy" in metrics.metrics


def test_scores_download_as_csv_and_parquet(governed: Governed, tmp_path) -> None:
    job = governed.maker.scoring.start(governed.model_version_id, governed.dataset_version_id)
    with pytest.raises(ConflictError):
        governed.maker.scoring.download(job.id, tmp_path / "early.csv")  # not finished yet
    assert not (tmp_path / "early.csv").exists()
    assert governed.maker.jobs.wait(job.id, timeout_s=120).status is JobStatus.SUCCEEDED

    csv_path = governed.maker.scoring.download(job.id, tmp_path / "scores.csv")
    parquet_path = governed.maker.scoring.download(job.id, tmp_path / "s.parquet", "parquet")

    frame = pd.read_csv(csv_path)
    assert len(frame) == 200 and {"probability_no", "probability_yes"} <= set(frame.columns)
    assert pd.read_parquet(parquet_path)["prediction"].tolist() == frame["prediction"].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.parquet", "scores.csv"]


def test_recommend_gives_each_suggestion_a_reason(governed: Governed) -> None:
    advice = governed.maker.training.recommend(governed.dataset_version_id, "churned")

    assert advice["task"]["value"] == "classification" and advice["task"]["reason"]
    assert all(family["reason"] for family in advice["families"])
