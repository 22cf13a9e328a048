from datetime import UTC, datetime, timedelta

import pytest

from modelyard.domain import JobStatus
from modelyard.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from modelyard.services.schedules import ScheduleService, ScoringTarget
from tests.factories import churn_frame, make_dataset_version, make_model_version, wait_for_job

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def test_a_due_schedule_submits_exactly_one_scoring_job(services, admin, viewer, tmp_path):
    model = make_model_version(services, admin, tmp_path)
    data = make_dataset_version(
        services, admin, tmp_path, name="new", frame=churn_frame(seed=2).drop(columns="churned")
    )
    target = ScoringTarget(model_version_id=model.id, dataset_version_id=data.id, format="parquet")
    schedule = services.schedules.create(admin, "nightly", "0 4 * * *", target, now=NOW)
    assert schedule.next_run_at == datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
    assert services.schedules.run_due(NOW + timedelta(minutes=59)) == []  # not yet due

    due = schedule.next_run_at
    # a second server process on the same database reads the same due row...
    other_process = ScheduleService(services.uow, services.scoring)
    assert other_process._claim(schedule.id, due, due) is not None
    # ...and claims it first: this process finds it claimed and submits nothing
    assert services.schedules.run_due(due) == []
    assert services.schedules.get(admin, schedule.id).next_run_at == due + timedelta(days=1)

    later = due + timedelta(days=1, seconds=5)
    jobs = services.schedules.run_due(later)
    assert len(jobs) == 1 and services.schedules.run_due(later) == []
    job = wait_for_job(services, admin, jobs[0])
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    assert job.result["rows"] == 200
    after = services.schedules.get(admin, schedule.id)
    assert after.last_job_id == jobs[0] and after.last_run_at == later and after.last_error is None
    assert after.next_run_at == datetime(2026, 12, 4, 4, 0, tzinfo=UTC)

    disabled = services.schedules.set_enabled(admin, schedule.id, False, now=later)
    assert disabled.next_run_at is None and not disabled.is_enabled
    assert services.schedules.run_due(later + timedelta(days=30)) == []
    enabled = services.schedules.set_enabled(admin, schedule.id, True, now=later)
    assert enabled.next_run_at == datetime(2026, 12, 4, 4, 0, tzinfo=UTC)

    now_job = services.schedules.run_now(admin, schedule.id)
    assert services.schedules.get(admin, schedule.id).last_job_id == now_job.id
    assert [s.id for s in services.schedules.list(admin, model_version_id=model.id).items] == [
        schedule.id
    ]
    actions = [e.action for e in services.audit.list(admin, limit=200).items]
    assert {"schedule.create", "schedule.run", "schedule.disable", "schedule.enable"} <= set(
        actions
    )
    with pytest.raises(PermissionDeniedError):
        services.schedules.create(viewer, "mine", "@daily", target)

    # the model versions can be compared, zipped and exported here as well (one trained model)
    comparison = services.models.compare(
        admin, [model.id, services.models.register(admin, model.run_id).id]
    )
    assert comparison.metrics == sorted(model.metrics) and comparison.differing_params == []
    assert all(v.size_bytes and v.size_bytes > 1000 for v in comparison.versions)
    archive = services.model_exports.download(admin, model.id)
    assert archive.filename.endswith(".zip") and archive.size_bytes > 1000

    # an endpoint's schedule scores with whatever version the endpoint serves when it fires
    services.deployments.create(admin, "churn", model.id)
    by_endpoint = services.schedules.create(
        admin, "by endpoint", "@hourly", ScoringTarget(endpoint="churn", dataset_version_id=data.id)
    )
    endpoint_job = services.schedules.run_now(admin, by_endpoint.id)
    assert endpoint_job.params["model_version_id"] == model.id

    services.schedules.delete(admin, schedule.id)
    with pytest.raises(NotFoundError, match="No schedule with id"):
        services.schedules.get(admin, schedule.id)


def test_bad_schedules_are_refused_and_nothing_is_written(services, admin):
    target = ScoringTarget(model_version_id=1, dataset_version_id=1)
    with pytest.raises(InvalidInputError, match="minute must be 0-59"):
        services.schedules.create(admin, "bad", "61 * * * *", target)
    with pytest.raises(InvalidInputError, match="Unknown time zone"):
        services.schedules.create(admin, "bad", "@daily", target, timezone="Nowhere/City")
    with pytest.raises(NotFoundError, match="No model version with id 1"):
        services.schedules.create(admin, "bad", "@daily", target)
    with pytest.raises(InvalidInputError, match="either a model version id or an endpoint"):
        services.schedules.create(admin, "bad", "@daily", ScoringTarget(dataset_version_id=1))
    with pytest.raises(InvalidInputError, match="Output format"):
        services.schedules.create(
            admin, "bad", "@daily", ScoringTarget(dataset_version_id=1, endpoint="x", format="xls")
        )
    assert services.schedules.list(admin).total == 0
    assert services.schedules.preview(admin, "0 6 * * *", count=2, now=NOW) == [
        datetime(2026, 12, 2, 6, tzinfo=UTC),
        datetime(2026, 12, 3, 6, tzinfo=UTC),
    ]
    with pytest.raises(InvalidInputError, match="Compare 2 to 10"):
        services.models.compare(admin, [1])
