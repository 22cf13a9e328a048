"""CLI fixtures: the real app in-process, reached through the SDK that commands use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

import modelyard
from modelyard.cli.main import app as cli_app
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.settings import Settings, TrainingSettings
from tests.conftest import ADMIN_PASSWORD, TRAINING_BUDGET_S
from tests.factories import write_csv

Invoke = Callable[..., Result]


@pytest.fixture
def sdk(client: TestClient) -> modelyard.Client:
    return modelyard.Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=client)


def make_invoke(sdk: modelyard.Client | None, home: Path, **env_vars: str | None) -> Invoke:
    """Run `modelyard ARGS...` with the SDK client injected (if given) and a private home."""
    env: dict[str, str | None] = {"MODELYARD_URL": None, "MODELYARD_TOKEN": None}
    env |= {"MODELYARD_CREDENTIALS_FILE": None, "MODELYARD_HOME": str(home), **env_vars}

    def invoke(*args: str, input: str | None = None) -> Result:
        obj = {"client": sdk} if sdk is not None else None
        return CliRunner().invoke(cli_app, list(args), obj=obj, env=env, input=input)

    return invoke


@pytest.fixture
def cli(sdk: modelyard.Client, tmp_path: Path) -> Invoke:
    return make_invoke(sdk, tmp_path / "cli-home")


@dataclass(frozen=True)
class Served:
    """A server with a trained model behind the endpoint ``churn``, shared by these tests."""

    cli: Invoke
    sdk: modelyard.Client
    endpoint: str


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory, dask_compute: DaskCompute) -> Iterator[Served]:
    from modelyard.app import create_app

    root = tmp_path_factory.mktemp("served")
    settings = Settings(
        home=root / "home",
        environment="test",
        admin_user="admin",
        admin_password=ADMIN_PASSWORD,
        training=TrainingSettings(default_time_budget_s=TRAINING_BUDGET_S, default_max_trials=3),
    )
    with TestClient(create_app(settings, compute=dask_compute, with_ui=False)) as http:
        sdk = modelyard.Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=http)
        project = sdk.projects.create("churn", description="Who leaves?")
        version = sdk.datasets.upload(write_csv(root), "churn", project_id=project.id)
        job = sdk.jobs.wait(sdk.training.start(version.id, "churned").id, timeout_s=180)
        assert job.result is not None, job.error_message
        model = sdk.models.register(job.result["run_id"])
        sdk.endpoints.create("churn", model.id)
        yield Served(make_invoke(sdk, root / "cli-home"), sdk, "churn")
