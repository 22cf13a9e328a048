"""The SDK against the real app in-process: typed results, and the server's error classes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from modelyard.domain import Dataset, DatasetVersion, Job, JobStatus, Page, PredictionResult, Role
from modelyard.errors import (
    AuthenticationError,
    ConflictError,
    DependencyUnavailableError,
    InvalidInputError,
    ModelyardError,
    NotFoundError,
    PermissionDeniedError,
)
from modelyard.sdk import Client
from tests.conftest import ADMIN_PASSWORD
from tests.factories import PASSWORD, churn_frame, write_csv

URL = "http://testserver"


@pytest.fixture
def sdk(client: TestClient) -> Client:
    return Client.login(URL, "admin", ADMIN_PASSWORD, http_client=client)


def test_the_package_exposes_the_client_lazily_and_imports_nothing_heavy() -> None:
    code = (
        "import json, sys, modelyard; c = modelyard.Client; import modelyard.sdk as s; "
        "assert c is s.Client and all(hasattr(s, n) for n in s.__all__); "
        "print(json.dumps([m for m in ('pandas', 'numpy', 'mlflow', 'sklearn', 'fastapi', "
        "'sqlalchemy', 'dask') if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_login_returns_a_client_that_knows_who_it_is(sdk: Client) -> None:
    me = sdk.auth.me()

    assert (me.username, me.role) == ("admin", Role.ADMIN)
    assert sdk.auth.tokens().total == 1
    assert "token" in repr(sdk) and sdk.token is not None and sdk.token not in repr(sdk)


def test_a_wrong_password_raises_authentication_error(client: TestClient) -> None:
    with pytest.raises(AuthenticationError) as caught:
        Client.login(URL, "admin", "wrong-password", http_client=client)

    assert caught.value.code == "auth.bad_credentials"
    assert caught.value.message == "Wrong username or password."


def test_a_revoked_token_raises_authentication_error(sdk: Client, client: TestClient) -> None:
    issued = sdk.auth.login("admin", ADMIN_PASSWORD, name="short-lived")
    other = Client(URL, issued.token, http_client=client)
    assert other.auth.me().username == "admin"

    revoked = sdk.auth.revoke(issued.token_id)

    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError) as caught:
        other.auth.me()
    assert caught.value.code == "auth.token_revoked"


def test_remote_errors_come_back_as_the_same_classes(sdk: Client, client: TestClient) -> None:
    with pytest.raises(NotFoundError) as not_found:
        sdk.datasets.get(404)
    assert (not_found.value.code, not_found.value.message) == (
        "dataset.not_found",
        "No dataset with id 404.",
    )
    with pytest.raises(InvalidInputError) as invalid:
        sdk.endpoints.create("Bad Name!", 1)
    assert invalid.value.details or invalid.value.message
    sdk.users.create("victor", PASSWORD, Role.VIEWER)
    with pytest.raises(ConflictError):
        sdk.users.create("victor", PASSWORD, Role.VIEWER)
    viewer = Client.login(URL, "victor", PASSWORD, http_client=client)
    with pytest.raises(PermissionDeniedError) as denied:
        viewer.projects.create("nope")
    assert denied.value.details["needs"] == "write"
    with pytest.raises(AuthenticationError) as anonymous:
        Client(URL, http_client=client).datasets.list()
    assert anonymous.value.code == "auth.missing_token"


def test_an_unreachable_server_raises_dependency_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with (
        Client(f"http://127.0.0.1:{port}", timeout_s=5) as offline,
        pytest.raises(DependencyUnavailableError) as caught,
    ):
        offline.auth.me()

    assert (
        f"cannot reach Modelyard at http://127.0.0.1:{port}: is `modelyard serve` running?"
        in caught.value.message
    )


def test_an_answer_without_the_error_shape_still_raises_ours() -> None:
    proxy = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(404, text="<html>nope</html>"))
    )

    with pytest.raises(NotFoundError) as caught:
        Client(URL, "t", http_client=proxy).jobs.get(1)

    assert caught.value.code == "http_error"
    assert "HTTP 404 to GET /api/v1/jobs/1" in caught.value.message


def test_projects_datasets_and_audit_read_back_as_domain_objects(sdk: Client, tmp_path) -> None:
    project = sdk.projects.create(
        "churn", description="Who leaves?", objective={"target": "churned"}
    )
    updated = sdk.projects.update(project.id, status="exploring")
    version = sdk.datasets.upload(write_csv(tmp_path), "churn", project_id=project.id)

    assert (updated.status, updated.objective.target) == ("exploring", "churned")
    assert isinstance(version, DatasetVersion) and (version.n_rows, version.n_columns) == (200, 7)
    datasets = sdk.datasets.list(project_id=project.id)
    assert isinstance(datasets, Page) and isinstance(datasets.items[0], Dataset)
    assert sdk.datasets.get(version.dataset_id).latest_version == version
    assert sdk.datasets.versions(version.dataset_id).items == [version]
    assert sdk.datasets.version(version.id) == version
    assert len(sdk.datasets.preview(version.id, limit=3)) == 3
    events = sdk.audit.list(action="project.create").items
    assert [(e.action, e.resource_id) for e in events] == [("project.create", str(project.id))]
    with pytest.raises(InvalidInputError, match="No file at"):
        sdk.datasets.upload(tmp_path / "missing.csv")


def test_train_wait_register_deploy_and_predict_a_dataframe(sdk: Client, tmp_path) -> None:
    version = sdk.datasets.upload(write_csv(tmp_path))
    job = sdk.training.start(version.id, "churned", seed=1)
    with pytest.raises(TimeoutError, match="keeps running"):
        sdk.jobs.wait(job.id, timeout_s=0)
    seen: list[Job] = []

    finished = sdk.jobs.wait(job.id, timeout_s=180, on_progress=seen.append, poll_s=0.2)

    assert finished.status is JobStatus.SUCCEEDED and finished.result is not None, (
        finished.error_message
    )
    assert seen[-1] == finished and seen[-1].progress == 1.0
    assert [line.message for line in sdk.jobs.logs(job.id)][-1].startswith("best: ")
    run = sdk.training.run(finished.result["run_id"])
    assert sdk.training.runs().items == [run]
    model = sdk.models.register(run.id, name="churn")
    assert sdk.models.get(model.id) == model and sdk.models.list().total == 1
    sdk.endpoints.create("churn", model.id)
    assert sdk.endpoints.model("churn") == model
    frame = churn_frame(n_rows=3, seed=3).drop(columns="churned")
    frame.loc[0, "spend"] = np.nan  # missing values travel as null

    result = sdk.endpoints.predict("churn", frame)

    assert isinstance(result, PredictionResult) and len(result.predictions) == 3
    assert result.probabilities is not None and set(result.probabilities[0]) == {"no", "yes"}
    assert (result.model_name, result.model_version) == ("churn", 1)
    with pytest.raises(ModelyardError, match="missing field"):
        sdk.endpoints.predict("churn", frame.drop(columns="age").to_dict(orient="records"))


def test_a_duplicate_comes_back_as_exactly_conflict_error(sdk: Client) -> None:
    sdk.users.create("victor", PASSWORD, Role.VIEWER)

    with pytest.raises(ConflictError) as caught:
        sdk.users.create("victor", PASSWORD, Role.VIEWER)

    assert type(caught.value) is ConflictError
    assert caught.value.code == "user.exists"
