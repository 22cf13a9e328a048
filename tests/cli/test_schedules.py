"""Schedules, model files and comparison from the command line (through the SDK)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

import modelyard
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.settings import Settings
from tests.cli.conftest import Invoke, make_invoke
from tests.conftest import ADMIN_PASSWORD
from tests.factories import write_csv


@dataclass(frozen=True)
class Registered:
    cli: Invoke
    sdk: modelyard.Client
    model_version_id: int
    dataset_version_id: int


@pytest.fixture(scope="module")
def registered(
    tmp_path_factory: pytest.TempPathFactory, dask_compute: DaskCompute
) -> Iterator[Registered]:
    from modelyard.app import create_app

    root = tmp_path_factory.mktemp("scheduled")
    settings = Settings(
        home=root / "home", environment="test", admin_user="admin", admin_password=ADMIN_PASSWORD
    )
    with TestClient(create_app(settings, compute=dask_compute, with_ui=False)) as http:
        sdk = modelyard.Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=http)
        version = sdk.datasets.upload(write_csv(root), "churn")
        job = sdk.training.start(
            version.id, "churned", time_budget_s=30, families=["linear"], max_trials=2
        )
        finished = sdk.jobs.wait(job.id, timeout_s=300)
        assert finished.result is not None, finished.error_message
        model = sdk.models.register(int(finished.result["run_id"]))
        yield Registered(make_invoke(sdk, root / "cli-home"), sdk, model.id, version.id)


def test_a_schedule_is_created_listed_toggled_run_and_deleted(registered) -> None:
    cli = registered.cli
    created = cli(
        "schedules", "create", "nightly", "--cron", "0 2 * * *",
        "--dataset-version", str(registered.dataset_version_id),
        "--model", str(registered.model_version_id), "--format", "parquet",
        "--timezone", "Europe/Berlin", "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    schedule = json.loads(created.stdout)
    assert schedule["params"]["format"] == "parquet" and schedule["next_run_at"]
    sid = str(schedule["id"])
    listed = cli("schedules", "list", "--model", str(registered.model_version_id))
    assert listed.exit_code == 0 and "nightly" in listed.stdout and "0 2 * * *" in listed.stdout
    assert "next run" in cli("schedules", "show", sid).stdout
    disabled = json.loads(cli("schedules", "disable", sid, "--json").stdout)
    assert disabled["is_enabled"] is False and disabled["next_run_at"] is None
    assert json.loads(cli("schedules", "enable", sid, "--json").stdout)["is_enabled"] is True
    started = cli("schedules", "run", sid)
    assert started.exit_code == 0 and "modelyard jobs show" in started.stdout
    assert cli("schedules", "delete", sid).stdout.strip() == f"Deleted schedule {sid}."
    missing = cli("schedules", "show", sid)
    assert missing.exit_code == 1 and f"No schedule with id {sid}" in missing.output


def test_preview_prints_the_next_runs_and_bad_cron_is_explained(registered) -> None:
    preview = registered.cli("schedules", "preview", "*/10 * * * *", "--count", "3")
    assert preview.exit_code == 0 and len(preview.stdout.strip().splitlines()) == 3
    bad = registered.cli("schedules", "preview", "0 24 * * *")
    assert bad.exit_code == 1
    assert "'0 24 * * *' is not a valid cron expression: hour must be 0-23" in bad.output


def test_models_download_onnx_and_compare(registered, tmp_path) -> None:
    cli, model_id = registered.cli, str(registered.model_version_id)
    out = tmp_path / "model.zip"
    downloaded = cli("models", "download", model_id, "--out", str(out))
    assert downloaded.exit_code == 0, downloaded.output
    assert "mlflow models serve" in downloaded.stdout
    with zipfile.ZipFile(out) as archive:
        assert any(name.endswith("/MLmodel") for name in archive.namelist())
    onnx = cli("models", "onnx", model_id, "--out", str(tmp_path / "model.onnx"), "--json")
    assert onnx.exit_code == 0, onnx.output
    assert json.loads(onnx.stdout)["size_bytes"] > 100
    second = registered.sdk.models.register(registered.sdk.models.get(model_id).run_id)
    compared = cli("models", "compare", model_id, str(second.id))
    assert compared.exit_code == 0, compared.output
    assert "algorithm" in compared.stdout and "dataset version" in compared.stdout
    too_few = cli("models", "compare", model_id)
    assert too_few.exit_code == 1 and "Compare 2 to 10" in too_few.output
