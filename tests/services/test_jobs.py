"""Jobs on a real Dask LocalCluster: progress, cancel, worker death, restart reconciliation."""

import os
import sys
import threading
import time

import cloudpickle
import pytest

from modelyard.domain import JobKind, JobStatus
from modelyard.errors import ConflictError, JobCancelledError, NotFoundError, PermissionDeniedError
from modelyard.services.jobs import WORKER_LOST, JobService, add_job
from tests.factories import wait_for_job

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _die(job_id, settings_payload):
    os._exit(3)  # the worker process dies, as it would when killed for memory


def _count_until_cancelled(job_id, settings_payload):
    from modelyard.worker.tasks import services_for

    with services_for(settings_payload) as services:
        recorder = services.recorder
        recorder.start(job_id)
        reporter = recorder.reporter(job_id)
        try:
            for step in range(600):
                reporter.report(step / 600, f"step {step}")
                time.sleep(0.1)
        except JobCancelledError:
            recorder.cancelled(job_id)


def _service_running(services, function):
    return JobService(
        services.uow,
        services.compute,
        run_job=function,
        worker_settings=services.settings.worker_payload(),
    )


def _queued_job(services, actor):
    with services.uow.begin() as session:
        return add_job(session, actor, JobKind.TRAIN, {"note": "test"}).id


def test_a_job_whose_worker_dies_is_marked_failed_with_the_reason(services, admin):
    jobs = _service_running(services, _die)
    job_id = _queued_job(services, admin)
    jobs.dispatch(job_id)
    job = wait_for_job(services, admin, job_id, timeout_s=60)
    assert job.status is JobStatus.FAILED
    assert job.error_code == WORKER_LOST
    assert "stopped before it finished" in job.error_message


def test_cancel_stops_a_running_job_at_its_next_report(services, admin):
    jobs = _service_running(services, _count_until_cancelled)
    job_id = _queued_job(services, admin)
    jobs.dispatch(job_id)
    deadline = time.monotonic() + 60
    while services.jobs.get(admin, job_id).status is not JobStatus.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert services.jobs.cancel(admin, job_id).is_cancel_requested
    job = wait_for_job(services, admin, job_id, timeout_s=30)
    assert job.status is JobStatus.CANCELLED
    assert services.jobs.logs(admin, job_id), "progress lines were logged"


def test_cancelling_a_queued_job_means_it_never_runs(services, admin):
    job_id = _queued_job(services, admin)
    assert services.jobs.cancel(admin, job_id).status is JobStatus.CANCELLED
    services.jobs.dispatch(job_id)  # a late dispatch finds it cancelled and does nothing
    time.sleep(1)
    job = services.jobs.get(admin, job_id)
    assert job.status is JobStatus.CANCELLED and job.started_at is None


def test_a_worker_starting_a_job_while_it_is_cancelled_never_loses_the_cancel(services, admin):
    """Start and cancel race on every job: each ends cancelled unstarted, or running and asked
    to stop; never running with the cancel lost (a read-then-write did that on PostgreSQL)."""
    job_ids = [_queued_job(services, admin) for _ in range(30)]
    started: dict[int, bool] = {}
    barrier = threading.Barrier(2)

    def start_all():
        barrier.wait()
        for job_id in job_ids:
            started[job_id] = services.recorder.start(job_id) is not None

    worker = threading.Thread(target=start_all)
    worker.start()
    barrier.wait()
    for job_id in job_ids:
        try:
            services.jobs.cancel(admin, job_id)
        except ConflictError:
            pytest.fail("a queued or running job refused the cancel")
    worker.join()
    for job_id in job_ids:
        job = services.jobs.get(admin, job_id)
        if started[job_id]:
            assert job.status is JobStatus.RUNNING and job.is_cancel_requested, job
        else:
            assert job.status is JobStatus.CANCELLED and job.started_at is None, job


def test_a_finished_job_cannot_be_cancelled(services, admin):
    job_id = _queued_job(services, admin)
    services.jobs.cancel(admin, job_id)
    with pytest.raises(ConflictError, match="already cancelled"):
        services.jobs.cancel(admin, job_id)


def test_unfinished_jobs_no_worker_knows_fail_after_a_restart(services, admin):
    job_id = _queued_job(services, admin)  # queued in the DB, never given to Dask
    assert services.jobs.reconcile() == 1
    job = services.jobs.get(admin, job_id)
    assert job.status is JobStatus.FAILED and "restarted" in job.error_message


def test_viewers_cannot_cancel_and_other_workspaces_cannot_see(services, admin, viewer):
    job_id = _queued_job(services, admin)
    assert services.jobs.get(viewer, job_id).id == job_id
    with pytest.raises(PermissionDeniedError):
        services.jobs.cancel(viewer, job_id)
    with pytest.raises(NotFoundError):
        services.jobs.get(admin, 99999)


def test_jobs_list_filters_by_status(services, admin):
    first = _queued_job(services, admin)
    _queued_job(services, admin)
    services.jobs.cancel(admin, first)
    page = services.jobs.list(admin, status=JobStatus.CANCELLED)
    assert [job.id for job in page.items] == [first] and page.total == 1


def test_cancelling_a_training_search_keeps_the_best_model_so_far(services, admin, tmp_path):
    from modelyard.domain.training import TrainingOptions
    from tests.factories import churn_frame, make_dataset_version

    version = make_dataset_version(services, admin, tmp_path, frame=churn_frame(n_rows=300))
    options = TrainingOptions(
        time_budget_s=120, max_trials=200, families=["decision_tree", "linear"], ensemble=False
    )
    job_id = services.training.start(admin, version.id, "churned", options=options).id
    deadline = time.monotonic() + 60
    while not any(
        line.message.startswith("trial 1:") for line in services.jobs.logs(admin, job_id)
    ):
        assert time.monotonic() < deadline, "no trial finished within 60 s"
        time.sleep(0.2)
    services.jobs.cancel(admin, job_id)
    asked = time.monotonic()
    job = wait_for_job(services, admin, job_id, timeout_s=60)
    assert time.monotonic() - asked < 30  # stops within seconds (refit + MLflow included)
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    assert job.message.startswith("stopped by admin after ")
    assert job.message.endswith(" trials; best so far kept")
    run = services.training.get_run(admin, job.result["run_id"])
    assert run.details["stopped_early"] and run.metrics["accuracy"] > 0.5
    assert 2 <= job.result["n_trials"] < 200


def test_cancelling_a_training_search_before_any_trial_finished_cancels_it(
    services, admin, tmp_path
):
    from tests.factories import churn_frame, make_dataset_version

    version = make_dataset_version(services, admin, tmp_path, frame=churn_frame(n_rows=300))
    job_id = services.training.start(admin, version.id, "churned").id
    services.jobs.cancel(admin, job_id)
    job = wait_for_job(services, admin, job_id, timeout_s=60)
    assert job.status is JobStatus.CANCELLED
    assert services.training.list_runs(admin).total == 0
