"""Clustering and anomaly detection through the real job runner, MLflow and an endpoint."""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sqlalchemy import func, select

from modelyard.db.tables import SqlJob
from modelyard.domain import JobStatus
from modelyard.domain.approvals import Policy
from modelyard.domain.training import TrainingOptions
from modelyard.errors import InvalidInputError
from tests.factories import make_dataset_version, wait_for_job


def _blobs(n=150):
    X, _ = make_blobs(n_samples=n, centers=3, n_features=2, random_state=0, cluster_std=0.7)
    frame = pd.DataFrame(X, columns=["width", "height"])
    frame["shade"] = np.where(X[:, 0] > 0, "dark", "light")
    return frame


def _train(services, actor, version, **options):
    settings = TrainingOptions(time_budget_s=3, max_trials=4, **options)
    job = services.training.start(actor, version.id, "", options=settings)
    finished = wait_for_job(services, actor, job.id)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    return services.training.get_run(actor, finished.result["run_id"])


def test_clustering_job_is_tracked_then_served_as_cluster_ids(services, admin, tmp_path):
    version = make_dataset_version(services, admin, tmp_path, name="shapes", frame=_blobs())
    run = _train(services, admin, version, task="clustering")
    assert run.task == "clustering" and run.target == "" and run.metrics["silhouette"] > 0.5
    report = run.details["report"]
    assert sum(report["cluster_sizes"].values()) == 150 and report["profiles"]
    assert len(report["projection"]) == 150 and len(run.details["leaderboard"]) == 4
    import mlflow

    mlflow.set_tracking_uri(services.settings.mlflow.tracking_uri)
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.mlflow_run_id)}
    assert {"projection.png", "cluster_sizes.png", "leaderboard.csv"} <= artifacts
    assert {"cluster_profiles.json", "leaderboard.json"} <= artifacts

    model = services.models.register(admin, run.id)
    assert "no target" in model.card["evaluation"]
    services.approvals.set_policy(
        admin,
        Policy(stage="staging", metric_thresholds={"accuracy": 0.9, "silhouette": 0.3}),
    )
    request = services.approvals.request(admin, model.id, "staging")
    checks = {c["name"]: c for c in request.checks}
    accuracy = checks["metric accuracy"]
    assert accuracy["is_passed"] and "not applicable" in accuracy["detail"]
    assert checks["metric silhouette"]["is_passed"]

    services.deployments.create(admin, "shapes", model.id)
    records = _blobs().head(4).to_dict(orient="records")
    result = services.deployments.predict(admin, "shapes", records)
    assert len(result.predictions) == 4 and set(result.predictions) <= {0, 1, 2}
    assert result.probabilities is None
    with pytest.raises(InvalidInputError, match="no true outcome") as refused:
        services.feedback.record(admin, result.prediction_ids[0], 1)
    assert refused.value.code == "feedback.not_supported"


def test_anomaly_job_serves_a_flag_and_a_score(services, admin, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(150, 2)), columns=["a", "b"])
    frame.loc[:4, ["a", "b"]] = 9.0
    frame["known"] = ["bad"] * 5 + ["good"] * 145
    version = make_dataset_version(services, admin, tmp_path, name="sensors", frame=frame)
    settings = TrainingOptions(time_budget_s=3, max_trials=2, task="anomaly", contamination=0.05)
    job = services.training.start(admin, version.id, "known", options=settings)
    finished = wait_for_job(services, admin, job.id)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    run = services.training.get_run(admin, finished.result["run_id"])
    assert run.metrics["roc_auc"] > 0.9 and [c.name for c in run.feature_columns] == ["a", "b"]
    model = services.models.register(admin, run.id)
    services.deployments.create(admin, "sensors", model.id)
    records = frame.drop(columns="known").head(6).to_dict(orient="records")
    result = services.deployments.predict(admin, "sensors", records)
    assert result.predictions[:5] == [1] * 5 and result.predictions[5] == 0
    assert set(result.probabilities[0]) == {"anomaly_score"}
    outcomes = ["anomaly", 1, True, 1, "yes", "normal"]  # the first five are the planted ones
    services.feedback.record_many(
        admin,
        [
            {"prediction_id": i, "actual": a}
            for i, a in zip(result.prediction_ids, outcomes, strict=True)
        ],
    )
    (live,) = services.feedback.metrics(admin, "sensors")
    assert live.metrics == {"accuracy": 1.0, "precision": 1.0, "recall": 1.0}

    scored = wait_for_job(services, admin, services.scoring.start(admin, model.id, version.id).id)
    assert scored.status is JobStatus.SUCCEEDED, scored.error_message
    table = pd.read_csv(io.BytesIO(b"".join(services.scoring.export(admin, scored.id, "csv"))))
    assert list(table.columns) == ["a", "b", "known", "anomaly", "anomaly_score"]
    assert table["anomaly"].head(5).tolist() == [1] * 5


def test_unsupervised_bad_input_is_refused_before_a_job_exists(services, admin, tmp_path):
    version = make_dataset_version(services, admin, tmp_path, name="shapes", frame=_blobs())
    with pytest.raises(InvalidInputError, match="or the task 'clustering' or 'anomaly'"):
        services.training.start(admin, version.id, "")
    with pytest.raises(InvalidInputError, match="'nope' is not in this dataset version"):
        services.training.start(admin, version.id, "nope", options=TrainingOptions(task="anomaly"))
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlJob)) == 0


def test_recommendation_without_target_proposes_clustering(services, admin, tmp_path):
    version = make_dataset_version(services, admin, tmp_path, name="shapes", frame=_blobs())
    advice = services.training.recommend(admin, version.id, "")
    assert advice["task"]["value"] == "clustering" and "no target" in advice["task"]["reason"]
