"""Shared fixtures: real SQLite (or PostgreSQL), real MLflow, a real Dask LocalCluster.

Set MODELYARD_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run the database-backed tests on PostgreSQL; each test then starts from an empty schema.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modelyard.domain import Actor, Role
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.services.container import Services, build_services
from modelyard.settings import Settings, TrainingSettings

ADMIN_PASSWORD = "admin-password-1"
# Tiny data: three trials end a search in seconds; the budget is slack for a busy machine.
TRAINING_BUDGET_S = 30.0
TEST_DATABASE_URL = os.environ.get("MODELYARD_TEST_DATABASE_URL")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def dask_compute() -> Iterator[DaskCompute]:
    """One real LocalCluster (one worker process) shared by the whole test session."""
    compute = DaskCompute(address=None, n_workers=1, threads_per_worker=2)
    compute.client(timeout_s=120)
    yield compute
    compute.close()


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow database, its tables made once by MLflow itself: making them costs
    1-2 s, which every test with a fresh data home would otherwise pay again."""
    import mlflow

    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    mlflow.MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


def fresh_home(home: Path, mlflow_template: Path) -> Path:
    """A new data home holding a copy of the empty MLflow database."""
    home.mkdir(parents=True)
    shutil.copyfile(mlflow_template, home / "mlflow.db")
    return home


@pytest.fixture
def settings(tmp_path: Path, mlflow_template: Path) -> Settings:
    """Settings built explicitly (never from a developer's .env), one data home per test."""
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
    return Settings(
        home=fresh_home(tmp_path / "home", mlflow_template),
        environment="test",
        database_url=TEST_DATABASE_URL,
        admin_user="admin",
        admin_password=ADMIN_PASSWORD,
        training=TrainingSettings(default_time_budget_s=TRAINING_BUDGET_S, default_max_trials=3),
    )


@pytest.fixture
def services(settings: Settings, dask_compute: DaskCompute) -> Iterator[Services]:
    built = build_services(settings, compute=dask_compute)
    built.owns_compute = False
    built.users.bootstrap("admin", ADMIN_PASSWORD)
    yield built
    built.close()


@pytest.fixture
def admin(services: Services) -> Actor:
    return services.users.resolve_token(services.users.issue_token("admin", ADMIN_PASSWORD).token)


@pytest.fixture
def editor(services: Services, admin: Actor) -> Actor:
    from tests.factories import make_user

    return make_user(services, admin, "erin", Role.EDITOR)


@pytest.fixture
def viewer(services: Services, admin: Actor) -> Actor:
    from tests.factories import make_user

    return make_user(services, admin, "victor", Role.VIEWER)


@pytest.fixture
def app(settings: Settings, dask_compute: DaskCompute):  # type: ignore[no-untyped-def]
    from modelyard.app import create_app

    return create_app(settings, compute=dask_compute, with_ui=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth_headers(client: TestClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
