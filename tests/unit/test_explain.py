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


def test_models_without_a_method_refuse_with_a_stable_code() -> None:
    served = _served("knn", "binary")
    with pytest.raises(InvalidInputError) as error:
        explain(served, _records(_frame(8, seed=5)))
    assert error.value.code == "explain.not_available"
