"""Factories: valid objects made through the services, with overridable defaults."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from modelyard.domain import (
    Actor,
    DatasetVersion,
    Deployment,
    Job,
    JobStatus,
    ModelVersion,
    Role,
    Run,
)
from modelyard.services.container import Services

PASSWORD = "password-123"


def make_user(services: Services, admin: Actor, username: str, role: Role) -> Actor:
    services.users.create(admin, username, PASSWORD, role)
    return services.users.resolve_token(services.users.issue_token(username, PASSWORD).token)


def churn_frame(n_rows: int = 200, seed: int = 0) -> pd.DataFrame:
    """A small, seeded classification table with numeric, categorical and boolean columns."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_rows, n_features=4, n_informative=3, n_redundant=0, random_state=seed
    )
    frame = pd.DataFrame(X, columns=["tenure", "spend", "calls", "age"])
    frame["plan"] = np.where(frame["spend"] > 0, "premium", "basic")
    frame["is_online"] = frame["calls"] > 0
    frame["churned"] = np.where(y == 1, "yes", "no")
    return frame


def write_csv(directory: Path, frame: pd.DataFrame | None = None, name: str = "churn.csv") -> Path:
    path = directory / name
    (churn_frame() if frame is None else frame).to_csv(path, index=False)
    return path


def make_dataset_version(
    services: Services,
    actor: Actor,
    tmp_path: Path,
    *,
    name: str = "churn",
    frame: pd.DataFrame | None = None,
) -> DatasetVersion:
    path = write_csv(tmp_path, frame, name=f"{name}.csv")
    return services.datasets.upload(actor, name, path, filename=path.name)


def wait_for_job(services: Services, actor: Actor, job_id: int, timeout_s: float = 120) -> Job:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = services.jobs.get(actor, job_id)  # type: ignore[union-attr]
        if job.status.is_finished:
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} did not finish within {timeout_s}s")


def make_run(services: Services, actor: Actor, tmp_path: Path, *, target: str = "churned") -> Run:
    version = make_dataset_version(services, actor, tmp_path)
    job = services.training.start(actor, version.id, target)
    finished = wait_for_job(services, actor, job.id)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    assert finished.result is not None
    return services.training.get_run(actor, finished.result["run_id"])


def make_model_version(services: Services, actor: Actor, tmp_path: Path) -> ModelVersion:
    run = make_run(services, actor, tmp_path)
    return services.models.register(actor, run.id)


def make_deployment(
    services: Services, actor: Actor, tmp_path: Path, *, name: str = "churn"
) -> Deployment:
    version = make_model_version(services, actor, tmp_path)
    return services.deployments.create(actor, name, version.id)


def make_family_deployment(
    services: Services, actor: Actor, tmp_path: Path, family: str, *, name: str = "churn"
) -> Deployment:
    """An endpoint serving a model of one family (a quick search: 2 trials, no ensemble)."""
    from modelyard.domain.training import TrainingOptions

    version = make_dataset_version(services, actor, tmp_path, name=f"data-{family}")
    options = TrainingOptions(families=[family], max_trials=2, ensemble=False, time_budget_s=30)
    job = services.training.start(actor, version.id, "churned", options=options)
    finished = wait_for_job(services, actor, job.id)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    assert finished.result is not None
    model = services.models.register(actor, finished.result["run_id"])
    return services.deployments.create(actor, name, model.id)
