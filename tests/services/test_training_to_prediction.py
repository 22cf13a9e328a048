"""The walking skeleton through the services: train on Dask, track in MLflow, register, serve."""

import pytest
from sqlalchemy import func, select

from modelyard.db.tables import SqlDeployment, SqlJob, SqlPrediction
from modelyard.domain import JobStatus
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from tests.factories import (
    churn_frame,
    make_dataset_version,
    make_deployment,
    make_run,
    wait_for_job,
)


def test_training_runs_as_a_job_and_is_tracked_in_mlflow(services, admin, tmp_path):
    run = make_run(services, admin, tmp_path)
    assert run.task == "classification" and run.metrics["accuracy"] > 0.7
    assert [c.name for c in run.feature_columns] == [
        "tenure",
        "spend",
        "calls",
        "age",
        "plan",
        "is_online",
    ]
    import mlflow

    mlflow.set_tracking_uri(services.settings.mlflow.tracking_uri)
    logged = mlflow.get_run(run.mlflow_run_id)
    assert logged.data.metrics["accuracy"] == pytest.approx(run.metrics["accuracy"])
    assert logged.data.params["target"] == "churned"
    job = services.jobs.get(admin, services.training.list_runs(admin).items[0].job_id)
    assert job.status is JobStatus.SUCCEEDED and job.progress == 1.0
    assert any("loading churn v1" in line.message for line in services.jobs.logs(admin, job.id))


def test_unknown_and_single_valued_targets_are_refused_before_a_job_exists(
    services, admin, tmp_path
):
    frame = churn_frame()
    frame["constant"] = "same"
    version = make_dataset_version(services, admin, tmp_path, frame=frame)
    with pytest.raises(InvalidInputError, match="'nope' is not in this dataset version"):
        services.training.start(admin, version.id, "nope")
    with pytest.raises(InvalidInputError, match="single value 'same'"):
        services.training.start(admin, version.id, "constant")
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlJob)) == 0


def test_training_that_fails_in_the_worker_ends_the_job_cleanly(services, admin, tmp_path):
    frame = churn_frame().head(8)  # fewer rows than the trainer needs
    version = make_dataset_version(services, admin, tmp_path, frame=frame)
    job = wait_for_job(services, admin, services.training.start(admin, version.id, "churned").id)
    assert job.status is JobStatus.FAILED
    assert (
        job.error_code == "training.too_few_rows" and "at least 10 are needed" in job.error_message
    )
    assert services.training.list_runs(admin).total == 0


def test_register_deploy_and_predict_with_probabilities(services, admin, tmp_path):
    deployment = make_deployment(services, admin, tmp_path, name="churn")
    assert (deployment.model_name, deployment.model_version) == ("churn-churned", 1)
    records = churn_frame().drop(columns="churned").head(3).to_dict(orient="records")
    result = services.deployments.predict(admin, "churn", records)
    assert len(result.predictions) == 3 and set(result.predictions) <= {"yes", "no"}
    assert all(abs(sum(p.values()) - 1) < 1e-9 for p in result.probabilities)
    assert result.model_version == 1 and len(set(result.prediction_ids)) == 3
    services.prediction_log.flush()
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlPrediction)) == 3
    audit = [e.action for e in services.audit.list(admin).items]
    assert {
        "dataset.version.create",
        "job.submit.train",
        "run.create",
        "model.register",
        "endpoint.create",
    } <= set(audit)


def test_predictions_with_a_wrong_schema_change_nothing(services, admin, tmp_path):
    make_deployment(services, admin, tmp_path)
    record = churn_frame().drop(columns="churned").head(1).to_dict(orient="records")[0]
    for bad in (
        {**record, "extra": 1},
        {k: v for k, v in record.items() if k != "plan"},
        {**record, "tenure": "long"},
    ):
        with pytest.raises(InvalidInputError, match="input schema"):
            services.deployments.predict(admin, "churn", [bad])
    services.prediction_log.flush()
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlPrediction)) == 0


def test_endpoint_rules(services, admin, viewer, tmp_path):
    deployment = make_deployment(services, admin, tmp_path)
    with pytest.raises(ConflictError, match="exists already"):
        services.deployments.create(admin, "churn", deployment.model_version_id)
    with pytest.raises(InvalidInputError, match="lowercase"):
        services.deployments.create(admin, "Bad Name", deployment.model_version_id)
    with pytest.raises(PermissionDeniedError):
        services.deployments.create(viewer, "mine", deployment.model_version_id)
    with pytest.raises(NotFoundError, match="No endpoint named 'ghost'"):
        services.deployments.predict(admin, "ghost", [{}])
    with pytest.raises(NotFoundError):
        services.deployments.create(admin, "other", 999)
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlDeployment)) == 1
    assert services.deployments.predict(
        viewer, "churn", churn_frame().drop(columns="churned").head(1).to_dict(orient="records")
    ).predictions


def test_an_endpoint_can_switch_to_another_version(services, admin, tmp_path):
    deployment = make_deployment(services, admin, tmp_path)
    second = services.models.register(admin, services.training.list_runs(admin).items[0].id)
    assert second.version == 2
    updated = services.deployments.update(admin, "churn", second.id)
    assert updated.model_version == 2 and deployment.model_version == 1


def test_predictions_are_logged_off_the_request_path_and_none_lost_on_shutdown(
    services, admin, tmp_path
):
    import time

    from modelyard.db.engine import build_engine

    make_deployment(services, admin, tmp_path)
    records = churn_frame().drop(columns="churned").head(5).to_dict(orient="records")
    first = services.deployments.predict(admin, "churn", records[:2])
    deadline = time.monotonic() + 10
    while _predictions(services) < 2:  # the background writer gets there by itself
        assert time.monotonic() < deadline
        time.sleep(0.1)
    services.deployments.predict(admin, "churn", records[2:])
    services.close()  # a clean shutdown writes what is still queued
    engine = build_engine(services.settings.database_url_resolved)
    with engine.connect() as connection:
        ids = {row[0] for row in connection.execute(select(SqlPrediction.id))}
    engine.dispose()
    assert len(ids) == 5 and set(first.prediction_ids) <= ids


def _predictions(services):
    with services.uow.begin() as session:
        return session.scalar(select(func.count()).select_from(SqlPrediction))
