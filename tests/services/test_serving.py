"""Serving a deployed model: compiled once per version, equal to the pipeline, explained."""

import numpy as np
import pandas as pd
import pytest

from modelyard.errors import AuthenticationError, InvalidInputError
from modelyard.ml.scoring import feature_frame, score
from tests.factories import churn_frame, make_family_deployment


def test_a_lightgbm_endpoint_is_compiled_cached_and_explained(services, admin, tmp_path):
    deployment = make_family_deployment(services, admin, tmp_path, "lightgbm")
    records = churn_frame(seed=3).drop(columns="churned").head(4).to_dict(orient="records")
    result = services.deployments.predict(admin, "churn", records, explain=True, top_k=2)
    version = services.deployments.served_model(admin, "churn")
    served = services.deployments._serving.get(version)
    assert served.is_compiled, served.reason
    assert deployment.model_version_id in services.deployments._serving

    pipeline = services.tracker.load_model(version.mlflow_uri)
    columns = [(c.name, c.kind) for c in version.feature_columns]
    frame = pd.DataFrame.from_records(records, columns=[n for n, _ in columns])
    expected = score(pipeline, feature_frame(frame, columns), task="classification")
    assert result.predictions == expected.predictions.tolist()
    got = np.array([[p[label] for label in expected.labels] for p in result.probabilities])
    np.testing.assert_allclose(got, expected.probabilities, rtol=0, atol=1e-9)

    assert result.contributions is not None and len(result.contributions) == 4
    names = {c.name for c in version.feature_columns}
    assert all(len(row) == 2 and set(row) <= names for row in result.contributions)
    plain = services.deployments.predict(admin, "churn", records)
    assert plain.contributions is None

    # the endpoint look-up is cached, but a redeploy is seen at once
    second = services.models.register(admin, services.training.list_runs(admin).items[0].id)
    services.deployments.update(admin, "churn", second.id)
    assert services.deployments.predict(admin, "churn", records).model_version == 2


def test_a_model_without_tree_or_linear_shap_is_explained_by_sampling(services, admin, tmp_path):
    make_family_deployment(services, admin, tmp_path, "knn")
    records = churn_frame().drop(columns="churned").head(2).to_dict(orient="records")
    result = services.deployments.predict(admin, "churn", records, explain=True, top_k=3)
    assert result.contributions is not None
    assert [len(row) for row in result.contributions] == [3, 3]
    with pytest.raises(InvalidInputError) as error:
        services.deployments.predict(admin, "churn", records, explain=True, top_k=0)
    assert error.value.code == "explain.bad_top_k"


def test_a_cached_token_is_refused_as_soon_as_it_is_revoked(services, admin):
    from tests.conftest import ADMIN_PASSWORD

    issued = services.users.issue_token("admin", ADMIN_PASSWORD, name="bench")
    assert services.users.resolve_token(issued.token).username == "admin"
    assert services.users.cached_actor(issued.token) is not None  # no DB for 5 s
    services.users.revoke_token(admin, issued.info.id)
    assert services.users.cached_actor(issued.token) is None
    with pytest.raises(AuthenticationError):
        services.users.resolve_token(issued.token)
