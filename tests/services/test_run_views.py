"""A real tiny training job: its evaluation and artifacts in MLflow, reports, export,
configuration and the refusals of the run views."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from modelyard.domain import Actor, JobStatus
from modelyard.domain.training import TrainingOptions
from modelyard.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from modelyard.services.container import Services
from tests.factories import make_dataset_version, wait_for_job

OPTIONS = TrainingOptions(families=["linear"], max_trials=2, time_budget_s=120)


def test_a_training_run_logs_its_evaluation_and_reports_it(
    services: Services, admin: Actor, viewer: Actor, tmp_path: Path
) -> None:
    version = make_dataset_version(services, admin, tmp_path)
    job = services.training.start(admin, version.id, "churned", options=OPTIONS)
    finished = wait_for_job(services, admin, job.id, timeout_s=300)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    run = services.training.get_run(admin, finished.result["run_id"])

    evaluation = run.details["evaluation"]
    assert evaluation["roc"] and evaluation["confusion_matrix"] and evaluation["importance"]
    assert run.details["reproducibility"]["data_hash"] == version.content_hash

    folder = services.tracker.download_artifacts(
        run.mlflow_run_id, tmp_path / "artifacts", model_uri=run.model_uri
    )
    for name in ("plots/roc.png", "plots/confusion_matrix.png", "leaderboard.csv", "model/MLmodel"):
        assert (folder / name).is_file(), name
    reproducibility = json.loads((folder / "reproducibility.json").read_text())
    assert reproducibility["seed"] == 0 and "scikit-learn" in reproducibility["packages"]

    html = services.run_reports.html(viewer, run.id)
    assert "Leaderboard" in html and "<td>linear</td>" in html
    assert services.run_reports.pdf(viewer, run.id).startswith(b"%PDF")
    names = zipfile.ZipFile(io.BytesIO(services.run_reports.export_zip(viewer, run.id))).namelist()
    assert "artifacts/model/MLmodel" in names and "report.html" in names

    config = services.run_configs.config(viewer, run.id)
    assert config["options"]["families"] == ["linear"] and config["target"] == "churned"
    with pytest.raises(PermissionDeniedError):
        services.run_configs.rerun(viewer, run.id)


def test_run_views_refuse_what_they_cannot_do(
    services: Services, admin: Actor, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError, match="between 2 and 10"):
        services.run_comparison.compare(admin, [1])
    with pytest.raises(NotFoundError):
        services.run_comparison.compare(admin, [1, 2])
    with pytest.raises(NotFoundError):
        services.run_reports.html(admin, 7)
    with pytest.raises(InvalidInputError, match="options are invalid"):
        services.run_configs.start_from_yaml(
            admin, "dataset_version_id: 1\ntarget: y\noptions: {n_folds: 1}\n"
        )
    version = make_dataset_version(services, admin, tmp_path)
    with pytest.raises(InvalidInputError, match="does not hold the data"):
        services.run_configs.start_from_yaml(
            admin, f"dataset_version_id: {version.id}\ntarget: churned\ndata_hash: abc\n"
        )
    assert services.jobs.list(admin).total == 0
