"""AutoML trials in parallel on a real 2-worker Dask LocalCluster."""

from collections.abc import Iterator

import pytest

from modelyard.domain import JobStatus
from modelyard.domain.training import TrainingOptions
from modelyard.integrations.dask_compute import DaskCompute
from modelyard.services.container import Services, build_services
from modelyard.settings import Settings
from tests.conftest import ADMIN_PASSWORD
from tests.factories import churn_frame, make_dataset_version, wait_for_job


@pytest.fixture(scope="module")
def two_workers() -> Iterator[DaskCompute]:
    compute = DaskCompute(address=None, n_workers=2, threads_per_worker=1)
    compute.client(timeout_s=120)
    yield compute
    compute.close()


@pytest.fixture
def parallel_services(settings: Settings, two_workers: DaskCompute) -> Iterator[Services]:
    built = build_services(settings, compute=two_workers)
    built.owns_compute = False
    built.users.bootstrap("admin", ADMIN_PASSWORD)
    yield built
    built.close()


def test_trials_run_in_two_worker_processes_and_the_leaderboard_is_complete(
    parallel_services, tmp_path
):
    services = parallel_services
    admin = services.users.resolve_token(services.users.issue_token("admin", ADMIN_PASSWORD).token)
    version = make_dataset_version(services, admin, tmp_path, frame=churn_frame(n_rows=300))
    options = TrainingOptions(
        time_budget_s=60, max_trials=5, families=["decision_tree", "linear"], n_folds=3
    )
    job = services.training.start(admin, version.id, "churned", options=options)
    finished = wait_for_job(services, admin, job.id, timeout_s=120)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    run = services.training.get_run(admin, finished.result["run_id"])
    leaderboard = run.details["leaderboard"]
    assert len(leaderboard) == 5  # max_trials split 3 + 2 over the two runners, not 3 + 3
    assert [t["number"] for t in leaderboard] == list(range(len(leaderboard)))
    assert len({t["worker"] for t in leaderboard}) == 2  # two worker processes
    assert all(t["status"] in ("ok", "pruned") for t in leaderboard)
    assert run.metrics["accuracy"] > 0.6
    assert any(
        line.message == "trials run in parallel: 2 trial runners on 2 Dask workers"
        for line in services.jobs.logs(admin, job.id)
    )


def test_cancelling_parallel_trials_stops_every_runner_and_keeps_the_best(
    parallel_services, tmp_path
):
    import re
    import time

    services = parallel_services
    admin = services.users.resolve_token(services.users.issue_token("admin", ADMIN_PASSWORD).token)
    version = make_dataset_version(services, admin, tmp_path, frame=churn_frame(n_rows=300))
    options = TrainingOptions(
        time_budget_s=300, max_trials=1000, families=["decision_tree", "linear"], n_folds=3
    )
    job_id = services.training.start(admin, version.id, "churned", options=options).id
    deadline = time.monotonic() + 90
    while not any(
        re.match(r"[1-9]\d* trials finished", line.message)
        for line in services.jobs.logs(admin, job_id)
    ):
        assert time.monotonic() < deadline, "no trial finished within 90 s"
        time.sleep(0.5)
    services.jobs.cancel(admin, job_id)
    asked = time.monotonic()
    job = wait_for_job(services, admin, job_id, timeout_s=90)
    assert time.monotonic() - asked < 45  # runners stopped, best refit and logged
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    assert job.message.startswith("stopped by admin after ")
    run = services.training.get_run(admin, job.result["run_id"])
    assert run.details["stopped_early"] and len(run.details["leaderboard"]) < 1000
