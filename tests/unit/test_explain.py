"""Per-record contributions: they add up to the model's score and name input columns."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit

from modelyard.errors import InvalidInputError
from modelyard.ml.compiled import compile_model
from modelyard.ml.explain import explain
from tests.unit.test_compiled import _COLUMNS, _fit, _frame, _member, _records, _target


def _served(family: str, task: str):  # type: ignore[no-untyped-def]
    X = _frame(200, seed=1)
    y = _target(X, task, seed=2)
    model = _fit(_member(family, X, task, 2), X, y, task)
    plain_task = "regression" if task == "regression" else "classification"
    return compile_model(model, _COLUMNS, task=plain_task)


@pytest.mark.parametrize("family", ["lightgbm", "xgboost", "catboost", "linear"])
def test_contributions_add_up_to_the_raw_score(family: str) -> None:
    served = _served(family, "binary")
    records = _records(_frame(20, seed=5, unseen=True))
    contributions = explain(served, records)
    assert contributions.names == [name for name, _ in _COLUMNS]
    total = contributions.values.sum(axis=1) + contributions.base
    probabilities = served.predict_records(records).probabilities
    assert probabilities is not None
    np.testing.assert_allclose(total, logit(probabilities[:, 1]), atol=1e-5)


@pytest.mark.parametrize("family", ["lightgbm", "random_forest", "decision_tree"])
def test_regression_contributions_add_up_to_the_prediction(family: str) -> None:
    served = _served(family, "regression")
    records = _records(_frame(20, seed=5))
    contributions = explain(served, records)
    total = contributions.values.sum(axis=1) + contributions.base
    np.testing.assert_allclose(total, served.predict_records(records).predictions, atol=1e-6)


def test_top_k_keeps_the_largest_by_absolute_value() -> None:
    served = _served("lightgbm", "binary")
    records = _records(_frame(8, seed=5))
    top = explain(served, records).top(2)
    assert len(top) == 8 and all(len(row) == 2 for row in top)
    full = explain(served, records)
    row = dict(zip(full.names, full.values[0], strict=True))
    assert set(top[0]) == set(sorted(row, key=lambda k: -abs(row[k]))[:2])


@pytest.mark.parametrize(
    "family, task", [("knn", "binary"), ("knn", "multiclass"), ("knn", "regression")]
)
def test_other_models_get_sampled_shapley_values_that_add_up_to_their_output(
    family: str, task: str
) -> None:
    served = _served(family, task)
    records = _records(_frame(6, seed=5, unseen=True))
    contributions = explain(served, records)
    total = contributions.values.sum(axis=1) + contributions.base
    scores = served.predict_records(records)
    if task == "regression":
        expected = np.asarray(scores.predictions, dtype=float)
    else:
        assert scores.probabilities is not None
        probabilities = np.asarray(scores.probabilities)
        column = 1 if task == "binary" else probabilities.argmax(axis=1)
        expected = probabilities[np.arange(len(records)), column]
    np.testing.assert_allclose(total, expected, atol=1e-9)
    assert np.abs(contributions.values).sum() > 0  # the inputs matter


def test_a_weighted_ensemble_is_explained_and_its_contributions_add_up() -> None:
    from sklearn.ensemble import VotingClassifier

    X = _frame(200, seed=1)
    y = _target(X, "binary", seed=2)
    members = [(f"m{i}", _member(f, X, "binary", 2)) for i, f in enumerate(["lightgbm", "linear"])]
    voting = VotingClassifier(members, voting="soft", weights=[2.0, 1.0])
    served = compile_model(_fit(voting, X, y, "binary"), _COLUMNS, task="classification")
    records = _records(_frame(4, seed=7))
    contributions = explain(served, records)
    probabilities = served.predict_records(records).probabilities
    assert probabilities is not None
    total = contributions.values.sum(axis=1) + contributions.base
    np.testing.assert_allclose(total, np.asarray(probabilities)[:, 1], atol=1e-9)
    assert len(contributions.top(2)[0]) == 2


def test_unsupervised_models_refuse_with_a_stable_code() -> None:
    served = _served("knn", "binary")
    clustering = compile_model(served.pipeline, _COLUMNS, task="clustering")
    with pytest.raises(InvalidInputError) as error:
        explain(clustering, _records(_frame(8, seed=5)))
    assert error.value.code == "explain.not_available"
