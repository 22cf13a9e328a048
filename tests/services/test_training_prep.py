"""Preprocessing, threshold and selection options travel from TrainingOptions to the run."""

import json

import pytest

from modelyard.domain import JobStatus
from modelyard.domain.training import TrainingOptions
from modelyard.errors import InvalidInputError
from modelyard.services.training import automl_config
from tests.factories import make_dataset_version, wait_for_job


def test_options_pass_through_training_to_the_run_and_mlflow(services, admin, tmp_path):
    version = make_dataset_version(services, admin, tmp_path)
    options = TrainingOptions(
        families=["linear", "svm"],
        imputation="iterative",
        scaling="minmax",
        encoding="onehot",
        feature_selection="tree_importance",
        max_features=4,
        cost_matrix=[[0, 1], [4, 0]],
        max_trials=2,
    )
    job = services.training.start(admin, version.id, "churned", options=options)
    finished = wait_for_job(services, admin, job.id)
    assert finished.status is JobStatus.SUCCEEDED, finished.error_message
    run = services.training.get_run(admin, finished.result["run_id"])
    details = run.details
    assert details["options"]["imputation"] == "iterative"
    assert 0 < details["decision_threshold"] < 1
    ranking = details["feature_ranking"]
    assert sum(r["selected"] for r in ranking) == 4 and ranking[0]["method"] == "tree_importance"
    import mlflow

    mlflow.set_tracking_uri(services.settings.mlflow.tracking_uri)
    path = mlflow.artifacts.download_artifacts(
        run_id=run.mlflow_run_id, artifact_path="feature_ranking.json", dst_path=str(tmp_path)
    )
    with open(path) as fh:
        assert json.load(fh) == ranking
    model = mlflow.sklearn.load_model(run.model_uri)
    assert type(model).__name__ == "ThresholdClassifier"


def test_option_values_reach_the_engine_config():
    config = automl_config(TrainingOptions(imputation="knn", threshold_metric="mcc"))
    assert config.prep.imputation == "knn" and config.threshold_metric == "mcc"
    with pytest.raises(InvalidInputError, match="not both"):
        automl_config(TrainingOptions(threshold_metric="f1", cost_matrix=[[0, 1], [2, 0]]))
