"""The version page's schedules and model files, and comparing versions, as a user does it."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor, JobStatus, ModelVersion
from modelyard.domain.training import TrainingOptions
from modelyard.services.container import Services
from tests.factories import make_dataset_version, wait_for_job
from tests.ui.conftest import WAIT, eventually, sign_in

# linear models only (they convert to ONNX); a roomy budget for a busy machine
LINEAR = TrainingOptions(families=["linear"], max_trials=2, ensemble=False, time_budget_s=30)


def make_model_version(services: Services, admin: Actor, tmp_path: Path) -> ModelVersion:
    data = make_dataset_version(services, admin, tmp_path)
    job = wait_for_job(
        services, admin, services.training.start(admin, data.id, "churned", options=LINEAR).id
    )
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    assert job.result is not None
    return services.models.register(admin, int(job.result["run_id"]))


async def test_a_user_schedules_scoring_and_downloads_model_files(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_model_version(app_services, admin, tmp_path)
    (dataset,) = app_services.datasets.list(admin).items
    (data_version,) = app_services.datasets.list_versions(admin, dataset.id).items

    await sign_in(user)
    await user.open(f"/models/{version.id}")
    await user.should_see(marker="schedules-empty", retries=WAIT)
    user.find(marker="schedule-name").type("nightly")
    user.find(marker="schedule-cron").clear().type("61 * * * *")
    user.find(marker="schedule-preview").click()
    await user.should_see("'61 * * * *' is not a valid cron expression: minute must be 0-59")
    user.find(marker="schedule-cron").clear().type("30 2 * * *")
    user.find(marker="schedule-preview").click()
    await user.should_see("Next runs:")
    user.find(kind=ui.select, marker="schedule-dataset").elements.pop().set_value(data_version.id)
    user.find(marker="create-schedule").click()

    await eventually(lambda: app_services.schedules.list(admin).total == 1)
    (schedule,) = app_services.schedules.list(admin).items
    assert (
        schedule.cron == "30 2 * * *" and schedule.params["dataset_version_id"] == data_version.id
    )
    await user.should_see(marker=f"schedule-{schedule.id}", retries=WAIT)
    user.find(marker=f"schedule-toggle-{schedule.id}").click()
    await user.should_see("next: disabled", retries=WAIT)
    user.find(marker=f"schedule-run-{schedule.id}").click()
    await user.should_see(marker=f"schedule-last-job-{schedule.id}", retries=WAIT)
    assert app_services.schedules.get(admin, schedule.id).last_job_id is not None

    user.find(marker="download-model-zip").click()
    archive = await user.download.next(timeout=60)
    assert archive.content[:2] == b"PK"
    user.find(marker="download-model-onnx").click()
    onnx = await user.download.next(timeout=60)
    assert len(onnx.content) > 100  # a linear model converts; verified on the server

    user.find(marker=f"schedule-delete-{schedule.id}").click()
    await user.should_see(marker="schedules-empty", retries=WAIT)


async def test_a_user_compares_two_versions(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    first = make_model_version(app_services, admin, tmp_path)
    second = app_services.models.register(admin, first.run_id)

    await sign_in(user)
    await user.open("/models")
    await user.should_see(marker=f"compare-{second.id}", retries=WAIT)
    user.find(marker=f"compare-{first.id}").click()
    user.find(marker="compare-selected").click()
    await user.should_see("Tick two or more versions to compare.")
    user.find(marker=f"compare-{second.id}").click()
    user.find(marker="compare-selected").click()
    await user.should_see(marker="compare-table", retries=WAIT)
    await user.should_see(marker="compare-chart")
    await user.should_see("The versions were trained with the same parameters.")
    (table,) = user.find(marker="compare-metrics").elements
    labels = [column["label"] for column in table.props["columns"]]
    assert f"{first.name} v{second.version} (id {second.id})" in labels
    assert any(row["field"] == "algorithm" for row in table.props["rows"])
