"""Clustering and anomaly detection from the pages: pick the task, no target, see the view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from nicegui import ui
from nicegui.testing import User
from sklearn.datasets import make_blobs

from modelyard.domain import Actor
from modelyard.domain.training import TrainingOptions
from modelyard.services.container import Services
from tests.factories import make_dataset_version, wait_for_job
from tests.ui.conftest import TRAINING_WAIT, WAIT, sign_in


def _blobs() -> pd.DataFrame:
    X, _ = make_blobs(n_samples=120, centers=3, n_features=2, random_state=0, cluster_std=0.7)
    frame = pd.DataFrame(X, columns=["width", "height"])
    frame["shade"] = np.where(X[:, 0] > 0, "dark", "light")
    return frame


async def test_clustering_needs_no_target_and_shows_clusters(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_dataset_version(app_services, admin, tmp_path, name="shapes", frame=_blobs())
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}")
    await user.should_see(marker="task-select", retries=WAIT)
    (button,) = user.find(marker="start-training").elements
    assert not button.enabled  # no target, task auto: nothing to learn yet
    (task,) = user.find(kind=ui.select, marker="task-select").elements
    assert "clustering" in task.options and "anomaly" in task.options
    task.set_value("clustering")
    assert button.enabled

    user.find(marker="start-training").click()
    await user.should_see(marker="run-result", retries=TRAINING_WAIT)
    await user.should_see(marker="cluster-view")
    await user.should_see(marker="metric-silhouette")
    await user.should_see("scored on the training rows")
    (sizes,) = user.find(kind=ui.echart, marker="cluster-sizes").elements
    assert sum(sizes.options["series"][0]["data"][i]["value"] for i in range(3)) <= 120
    (scatter,) = user.find(kind=ui.echart, marker="cluster-projection").elements
    assert sum(len(s["data"]) for s in scatter.options["series"]) == 120
    (profiles,) = user.find(kind=ui.table, marker="cluster-profiles").elements
    assert {"width", "height", "shade"} <= {c["name"] for c in profiles.columns}


async def test_anomaly_run_shows_histogram_and_top_rows(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    frame.loc[:2, ["a", "b"]] = 9.0
    version = make_dataset_version(app_services, admin, tmp_path, name="points", frame=frame)
    options = TrainingOptions(task="anomaly", contamination=0.05, max_trials=2)
    job = app_services.training.start(admin, version.id, "", options=options)
    assert wait_for_job(app_services, admin, job.id).error_message is None
    await sign_in(user)
    await user.open(f"/jobs/{job.id}")
    await user.should_see(marker="anomaly-histogram", retries=WAIT)
    await user.should_see(marker="cluster-projection")
    (top,) = user.find(kind=ui.table, marker="top-anomalies").elements
    assert {row["row"] for row in top.rows[:3]} == {0, 1, 2}
