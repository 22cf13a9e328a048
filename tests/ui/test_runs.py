"""A finished run shows its evaluation charts and actions; re-run it and compare the two."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor, JobStatus
from modelyard.domain.training import TrainingOptions
from modelyard.services.container import Services
from tests.factories import make_dataset_version, wait_for_job
from tests.ui.conftest import TRAINING_WAIT, WAIT, sign_in

OPTIONS = TrainingOptions(families=["linear"], max_trials=2, time_budget_s=120)


async def test_a_run_shows_its_charts_reruns_and_compares(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_dataset_version(app_services, admin, tmp_path)
    job = app_services.training.start(admin, version.id, "churned", options=OPTIONS)
    finished = wait_for_job(app_services, admin, job.id, timeout_s=300)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    first = finished.result["run_id"]

    await sign_in(user)
    await user.open(f"/jobs/{job.id}")
    await user.should_see(marker="run-result", retries=WAIT)
    for marker in ("roc-chart", "pr-chart", "confusion-chart", "importance-chart", "run-actions"):
        await user.should_see(marker=marker)
    (figures,) = user.find(kind=ui.label, marker="threshold-figures").elements
    assert figures.text.startswith("threshold 0.50: precision")
    user.find(kind=ui.slider, marker="threshold-slider").elements.pop().set_value(0.8)
    assert figures.text.startswith("threshold 0.80")

    user.find(marker="rerun").click()
    await user.should_see("Re-running as job", retries=WAIT)
    await user.should_see(marker="live-search", retries=WAIT)
    await user.should_see(marker="run-result", retries=TRAINING_WAIT)
    (done,) = user.find(kind=ui.label, marker="live-trials-done").elements
    assert done.text == "2 trials done"
    second = max(r.id for r in app_services.training.list_runs(admin).items)

    await user.open(f"/runs/compare?ids={first},{second}")
    await user.should_see(marker="compare-metrics", retries=WAIT)
    await user.should_see("The runs have the same settings.")
    (chart,) = user.find(kind=ui.echart, marker="compare-roc").elements
    assert len(chart.options["series"]) == 3  # two runs and the chance line
