"""From a dataset to a prediction: train in the background, watch, register, deploy, try."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.services.container import Services
from tests.factories import make_dataset_version
from tests.ui.conftest import TRAINING_WAIT, WAIT, sign_in


async def test_train_register_deploy_and_predict_from_the_pages(user: User) -> None:
    await sign_in(user)
    user.find(marker="try-sample").click()
    await user.should_see(marker="train-card", retries=WAIT)

    user.find(marker="start-training").click()
    await user.should_see(marker="job-monitor", retries=WAIT)
    await user.should_see(marker="run-result", retries=TRAINING_WAIT)
    (status,) = user.find(kind=ui.badge, marker="job-status").elements
    assert status.text == "succeeded"
    await user.should_see(marker="metric-accuracy")
    await user.should_see(marker="metrics-chart")
    await user.should_see("best: ")  # the job's last log line names the winner

    user.find(marker="register-model").click()
    await user.should_see(marker="deploy-1", retries=WAIT)
    await user.should_see("penguins-species")
    (endpoint_name,) = user.find(kind=ui.input, marker="endpoint-name-1").elements
    assert endpoint_name.value == "penguins-species"

    user.find(marker="deploy-1").click()
    await user.should_see(marker="test-form", retries=WAIT)
    await user.should_see("penguins-species version 1")
    await user.should_see("/api/v1/endpoints/penguins-species/predict")
    user.find(marker="field-island").type("Torgersen")
    user.find(marker="field-bill_length_mm").type("39.1")
    user.find(marker="field-flipper_length_mm").type("181")
    user.find(marker="predict").click()
    await user.should_see(marker="prediction", retries=WAIT)
    (prediction,) = user.find(kind=ui.label, marker="prediction").elements
    assert prediction.text in {"Adelie", "Chinstrap", "Gentoo"}
    (chart,) = user.find(kind=ui.echart, marker="probabilities").elements
    assert chart.options["yAxis"]["data"] == ["Adelie", "Chinstrap", "Gentoo"]


async def test_a_failed_job_shows_why(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    tiny = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "b", "a", "b"]})
    version = make_dataset_version(app_services, admin, tmp_path, name="tiny", frame=tiny)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}")
    user.find(kind=ui.select, marker="target-select").elements.pop().set_value("y")
    user.find(marker="start-training").click()
    await user.should_see(marker="job-error", retries=TRAINING_WAIT)
    (message,) = user.find(kind=ui.label, marker="job-error-message").elements
    assert "rows" in message.text
    await user.should_not_see(marker="register-model")


async def test_training_on_an_unknown_job_says_so(user: User) -> None:
    await sign_in(user)
    await user.open("/jobs/999")
    await user.should_see("No job with id 999.")


async def test_the_training_page_lists_jobs(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    tiny = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "b", "a", "b"]})
    version = make_dataset_version(app_services, admin, tmp_path, name="tiny", frame=tiny)
    job = app_services.training.start(admin, version.id, "y")
    await sign_in(user)
    await user.open("/training")
    (table,) = user.find(kind=ui.table, marker="jobs").elements
    assert [row["id"] for row in table.rows] == [job.id]
    assert "predict 'y'" in table.rows[0]["title"]
