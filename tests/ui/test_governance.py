"""Governance from the pages: promotion requests, approvals, model cards, scoring, live metrics."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor, JobStatus, ModelVersion, Role
from modelyard.domain.approvals import Policy, Stage
from modelyard.domain.training import TrainingOptions
from modelyard.services.container import Services
from tests.factories import PASSWORD, make_dataset_version, make_user, wait_for_job
from tests.ui.conftest import TRAINING_WAIT, WAIT, sign_in

# linear models only, with room for a cold worker: quick and steady on a busy machine
FAST = TrainingOptions(families=["linear"], max_trials=2, ensemble=False, time_budget_s=10)


def make_model_version(services: Services, admin: Actor, tmp_path: Path) -> ModelVersion:
    data = make_dataset_version(services, admin, tmp_path)
    job = wait_for_job(
        services, admin, services.training.start(admin, data.id, "churned", options=FAST).id
    )
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    assert job.result is not None
    return services.models.register(admin, int(job.result["run_id"]))


def _text(user: User, marker: str) -> str:
    (element,) = user.find(marker=marker).elements
    return str(getattr(element, "text", ""))


async def test_an_editor_requests_promotion_and_an_approver_promotes(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    app_services.approvals.set_policy(
        admin, Policy(stage=Stage.PRODUCTION, metric_thresholds={"accuracy": 0.0})
    )
    make_user(app_services, admin, "erin", Role.EDITOR)
    make_user(app_services, admin, "alex", Role.APPROVER)

    await sign_in(user, "erin", PASSWORD)
    await user.open(f"/models/{version.id}")
    await user.should_see(marker="request-promotion", retries=WAIT)
    assert _text(user, "model-stage") == "none"
    user.find(kind=ui.select, marker="promotion-stage").elements.pop().set_value("production")
    user.find(marker="promotion-note").type("beats the baseline")
    user.find(marker="request-promotion").click()
    await user.should_see(marker="version-request-1", retries=WAIT)
    await user.should_see("beats the baseline")

    user.find(marker="logout").click()
    await sign_in(user, "alex", PASSWORD)
    assert _text(user, "pending-badge") == "1"
    await user.open("/approvals")
    await user.should_see(marker="request-1")
    await user.should_see("metric accuracy")  # the check, with its detail
    await user.should_see("Requested by erin")
    user.find(marker="comment-1").type("looks good")
    user.find(marker="approve-1").click()
    await user.should_see(marker="inbox-empty", retries=WAIT)

    await user.open(f"/models/{version.id}")
    await user.should_see(marker="promotion", retries=WAIT)
    assert _text(user, "model-stage") == "production"
    await user.should_see("alex approved")
    assert app_services.models.get(admin, version.id).stage == "production"


async def test_the_maker_cannot_approve_their_own_request(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    request = app_services.approvals.request(admin, version.id, Stage.STAGING)

    await sign_in(user)
    await user.open("/approvals")
    await user.should_see(marker=f"approve-{request.id}", retries=WAIT)
    user.find(marker=f"approve-{request.id}").click()
    await user.should_see("maker-checker", retries=WAIT)
    assert "another approver" in _text(user, f"decision-error-{request.id}")
    assert app_services.approvals.get(admin, request.id).status == "pending"


async def test_a_production_endpoint_refuses_an_unapproved_version(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/models/{version.id}")
    await user.should_see(marker="endpoint-stage", retries=WAIT)
    user.find(kind=ui.select, marker="endpoint-stage").elements.pop().set_value("production")
    user.find(marker="deploy").click()
    await user.should_see("Request a promotion first.", retries=WAIT)
    assert app_services.deployments.list(admin).total == 0


async def test_editing_the_model_card_persists(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/models/{version.id}")
    await user.should_see(marker="card-training_data")  # filled by the run, read-only
    user.find(kind=ui.textarea, marker="card-intended_use").elements.pop().set_value(
        "Rank customers for retention calls."
    )
    user.find(marker="save-card").click()
    await user.should_see("Model card saved.", retries=WAIT)

    await user.open(f"/models/{version.id}")
    await user.should_see(marker="card-intended_use", retries=WAIT)
    (area,) = user.find(kind=ui.textarea, marker="card-intended_use").elements
    assert area.value == "Rank customers for retention calls."
    card = app_services.models.get(admin, version.id).card
    assert card["intended_use"] == "Rank customers for retention calls."


async def test_batch_scoring_from_the_model_page_offers_downloads(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    (dataset,) = app_services.datasets.list(admin).items
    (data_version,) = app_services.datasets.list_versions(admin, dataset.id).items

    await sign_in(user)
    await user.open(f"/models/{version.id}")
    await user.should_see(marker="scoring-dataset", retries=WAIT)
    user.find(kind=ui.select, marker="scoring-dataset").elements.pop().set_value(data_version.id)
    user.find(marker="start-scoring").click()
    await user.should_see(marker="score-downloads", retries=TRAINING_WAIT)
    await user.should_see("Scored 200 rows.")

    user.find(marker="download-csv").click()
    csv = await user.download.next(timeout=10)
    lines = csv.content.decode().splitlines()
    assert len(lines) == 201  # header and one line per row
    user.find(marker="download-parquet").click()
    parquet = await user.download.next(timeout=10)
    assert parquet.content[:4] == b"PAR1"


async def test_a_deployment_page_shows_live_metrics_after_feedback(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    deployment = app_services.deployments.create(admin, "churn", version.id)
    model = app_services.deployments.served_model(admin, "churn")
    record = {c.name: 0 for c in model.feature_columns} | {"plan": "basic", "is_online": True}
    result = app_services.deployments.predict(admin, "churn", [record])

    await sign_in(user)
    await user.open(f"/deployments/{deployment.name}")
    await user.should_see(marker="live-metrics-table", retries=WAIT)  # drawn last
    assert _text(user, "endpoint-stage") == "development"
    (table,) = user.find(kind=ui.table, marker="live-metrics-table").elements
    assert table.rows[0]["n_predictions"] == 1 and table.rows[0]["n_feedback"] == 0

    user.find(marker="feedback-prediction-id").type(result.prediction_ids[0])
    user.find(marker="feedback-actual").type(str(result.predictions[0]))
    user.find(marker="record-feedback").click()
    await user.should_see("Feedback recorded.", retries=WAIT)
    assert table.rows[0]["n_feedback"] == 1
    assert table.rows[0]["metrics"] != "—"


async def test_an_admin_edits_the_production_approval_policy(
    user: User, app_services: Services, admin: Actor
) -> None:
    await sign_in(user)
    await user.open("/admin")
    await user.should_see(marker="policy-production", retries=WAIT)
    (thresholds,) = user.find(kind=ui.textarea, marker="policy-production-thresholds").elements
    thresholds.set_value("accuracy=0.8\nrmse")
    user.find(marker="policy-production-save").click()
    await user.should_see("should read 'metric=value'", retries=WAIT)

    thresholds.set_value("accuracy=0.8\n\nlog_loss = 0.5")
    user.find(kind=ui.number, marker="policy-production-approvals").elements.pop().set_value(2)
    fields = user.find(kind=ui.select, marker="policy-production-fields").elements.pop()
    fields.set_value(["intended_use", "limitations"])
    user.find(marker="policy-production-save").click()
    await user.should_see("Saved the production policy.", retries=WAIT)
    policy = app_services.approvals.get_policy(admin, Stage.PRODUCTION)
    assert policy.min_approvals == 2
    assert policy.metric_thresholds == {"accuracy": 0.8, "log_loss": 0.5}
    assert policy.required_card_fields == ["intended_use", "limitations"]
