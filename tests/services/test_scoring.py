import io

import pandas as pd
import pytest

from modelyard.domain import JobStatus
from modelyard.errors import ConflictError, InvalidInputError
from modelyard.services import scoring
from tests.factories import churn_frame, make_dataset_version, make_model_version, wait_for_job


def test_a_dataset_version_is_scored_in_chunks(services, admin, tmp_path, monkeypatch):
    monkeypatch.setattr(
        scoring, "BATCH_ROWS", 64
    )  # several chunks even for tiny data (worker reads its own copy)
    model = make_model_version(services, admin, tmp_path)
    data = make_dataset_version(
        services,
        admin,
        tmp_path,
        name="new-customers",
        frame=churn_frame(seed=3).drop(columns="churned"),
    )
    job = wait_for_job(services, admin, services.scoring.start(admin, model.id, data.id).id)
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    assert job.result["rows"] == 200
    csv = b"".join(services.scoring.export(admin, job.id, "csv"))
    scores = pd.read_csv(io.BytesIO(csv))
    assert len(scores) == 200 and {"prediction", "probability_no", "probability_yes"} <= set(
        scores.columns
    )
    online = services.deployments  # the same rows online give the same answers
    services.deployments.create(admin, "churn", model.id)
    first = churn_frame(seed=3).drop(columns="churned").head(3).to_dict(orient="records")
    assert (
        online.predict(admin, "churn", first).predictions == scores["prediction"].head(3).tolist()
    )
    parquet = b"".join(services.scoring.export(admin, job.id, "parquet"))
    assert pd.read_parquet(io.BytesIO(parquet)).shape[0] == 200


def test_scoring_refuses_data_without_the_features(services, admin, tmp_path):
    model = make_model_version(services, admin, tmp_path)
    data = make_dataset_version(
        services, admin, tmp_path, name="partial", frame=churn_frame().drop(columns=["plan", "age"])
    )
    with pytest.raises(InvalidInputError, match="lacks the model's feature\\(s\\): age, plan"):
        services.scoring.start(admin, model.id, data.id)
    with pytest.raises(InvalidInputError, match="Format"):
        services.scoring.export(admin, 1, "xlsx")
    with pytest.raises(ConflictError, match="not a finished scoring job"):
        services.scoring.export(admin, services.jobs.list(admin).items[0].id, "csv")
