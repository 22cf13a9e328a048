import time

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_wine, make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from modelyard.ml.automl import AutoMLConfig, fit_automl
from modelyard.ml.automl.bagging import (
    FoldBaggedClassifier,
    FoldBaggedRegressor,
    as_voting,
)
from modelyard.ml.automl.deadline import fit_within
from modelyard.ml.automl.estimators import LabelEncodedClassifier


@parametrize_with_checks(
    [
        FoldBaggedClassifier(LogisticRegression(), n_folds=2),
        FoldBaggedRegressor(LinearRegression(), n_folds=2),
    ]
)
def test_fold_bags_follow_scikit_learn_conventions(estimator, check):
    check(estimator)


def test_a_bag_averages_one_model_per_fold_each_fitted_without_its_fold():
    X, y = make_classification(n_samples=200, n_features=5, n_classes=3, n_informative=3)
    bag = FoldBaggedClassifier(DecisionTreeClassifier(random_state=0), n_folds=4).fit(X, y)
    assert len(bag.estimators_) == 4
    assert all(tree.tree_.n_node_samples[0] == 150 for tree in bag.estimators_)
    expected = np.mean([tree.predict_proba(X) for tree in bag.estimators_], axis=0)
    np.testing.assert_allclose(bag.predict_proba(X), expected)
    assert (bag.predict(X) == expected.argmax(axis=1)).all()
    assert len({tree.tree_.node_count for tree in bag.estimators_}) > 1  # different rows


def test_a_class_a_fold_model_never_saw_gets_its_column_from_the_others():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    y[0] = 2  # one row of a third class: one fold model never sees it
    bag = FoldBaggedClassifier(LogisticRegression(), n_folds=5, seed=0).fit(X, y)
    proba = bag.predict_proba(X)
    assert proba.shape == (100, 3) and np.allclose(proba.sum(axis=1), 1)
    assert sum(len(m.classes_) == 2 for m in bag.estimators_) == 1
    with pytest.raises(ValueError, match="does not know every class"):
        as_voting(bag)


def test_a_class_rarer_than_the_folds_is_spread_over_them():
    y = np.array([0] * 50 + [1] * 46 + [2] * 4)
    bag = FoldBaggedClassifier(LogisticRegression(), n_folds=5, seed=0)
    left_out = [np.sum(y[rows] == 2) for _, rows in bag._folds(y)]
    assert sorted(left_out) == [0, 1, 1, 1, 1]  # every fold model learns from 3 of the 4


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_bag_reads_as_the_soft_vote_of_its_fold_models(task):
    if task == "classification":
        X, y = load_wine(return_X_y=True)
        bag = FoldBaggedClassifier(DecisionTreeClassifier(random_state=0), n_folds=3).fit(X, y)
        np.testing.assert_allclose(as_voting(bag).predict_proba(X), bag.predict_proba(X))
    else:
        X, y = load_diabetes(return_X_y=True)
        bag = FoldBaggedRegressor(LinearRegression(), n_folds=3).fit(X, y)
    np.testing.assert_allclose(as_voting(bag).predict(X), bag.predict(X))


def test_a_bag_fitted_to_a_deadline_shares_it_among_its_folds():
    from lightgbm import LGBMClassifier

    X, y = make_classification(n_samples=20_000, n_features=20, random_state=0)
    booster = LGBMClassifier(n_estimators=100_000, learning_rate=0.01, verbose=-1)
    bag = FoldBaggedClassifier(booster, n_folds=3)
    started = time.perf_counter()
    bounded = fit_within(bag, X, y, started + 1.5)
    assert time.perf_counter() - started < 3.0
    assert bounded.stopped and len(bag.estimators_) == 3
    rounds = [m.booster_.current_iteration() for m in bag.estimators_]
    assert all(r > 0 for r in rounds) and max(rounds) < 3 * min(rounds)  # each its share


def _small_frame(n=240):
    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, random_state=2)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    return frame.assign(y=np.where(y == 1, "yes", "no"))


def _bags(model):
    """The fold bags inside a fitted final model."""
    found, stack = [], [model]
    while stack:
        m = stack.pop()
        if isinstance(m, FoldBaggedClassifier | FoldBaggedRegressor):
            found.append(m)
        stack += [getattr(m, "estimator_", None), *getattr(m, "estimators_", [])]
        stack += getattr(m, "members_", [])
        stack = [s for s in stack if s is not None and not isinstance(s, Pipeline)]
    return found


def test_the_final_booster_is_bagged_over_the_search_folds_on_small_data():
    config = AutoMLConfig(time_budget_s=30, max_trials=3, families=("lightgbm",), n_jobs=1)
    result = fit_automl(_small_frame(), "y", config)
    bags = _bags(result.model)  # one per LightGBM member (an ensemble may hold several)
    assert bags and all(len(bag.estimators_) == 5 for bag in bags)  # 5-fold validation
    assert any(n.startswith("lightgbm bagged over 5 folds") for n in result.notes), result.notes
    assert set(result.model.predict(result.test_features)) <= {"yes", "no"}
    assert result.test_metrics["roc_auc"] > 0.85


@pytest.mark.parametrize(
    "change",
    [
        {"validation": "holdout"},
        {"families": ("linear",)},
        {"max_predict_latency_ms": 1e-6},
    ],
    ids=["holdout", "stable family", "latency limit"],
)
def test_no_bag_under_holdout_for_stable_learners_or_past_a_limit(change):
    options = {"time_budget_s": 30, "max_trials": 3, "families": ("lightgbm",), "n_jobs": 1}
    config = AutoMLConfig(**{**options, **change})
    try:
        result = fit_automl(_small_frame(), "y", config)
    except Exception as exc:  # a latency limit nothing meets ends the search
        assert "limit" in str(exc)
        return
    assert not _bags(result.model)
    assert not any("bagged over" in n for n in result.notes)


def test_a_bagged_final_model_compiles_explains_and_exports_to_onnx():
    import onnxruntime as rt

    from modelyard.ml.compiled import compile_model
    from modelyard.ml.explain import explain
    from modelyard.ml.onnx_export import export_onnx, onnx_inputs

    frame = _small_frame()
    config = AutoMLConfig(time_budget_s=30, max_trials=2, families=("lightgbm",), n_jobs=1)
    result = fit_automl(frame, "y", config)
    assert _bags(result.model)
    X = frame.drop(columns="y")
    columns = [(c, "numeric") for c in X.columns]
    served = compile_model(result.model, columns, task="classification")
    assert served.is_compiled, served.reason
    records = X.head(20).to_dict("records")
    scores = served.predict_records(records)
    np.testing.assert_allclose(scores.probabilities, result.model.predict_proba(X.head(20)))
    contributions = explain(served, records[:3])  # sampled Shapley of the averaged output
    total = contributions.values.sum(axis=1) + contributions.base
    np.testing.assert_allclose(total, scores.probabilities[:3, 1], atol=1e-9)
    session = rt.InferenceSession(
        export_onnx(result.model, X, columns, task="classification"),
        providers=["CPUExecutionProvider"],
    )
    labels, probabilities = session.run(None, onnx_inputs(X, columns))
    assert list(labels.reshape(-1)) == list(result.model.predict(X))
    np.testing.assert_allclose(probabilities, result.model.predict_proba(X), atol=1e-5)


def test_a_bag_inside_the_label_wrapper_fits_on_codes():
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    labels = np.where(y == 1, "b", "a")
    prep = ColumnTransformer([("numeric", "passthrough", [0, 1, 2, 3])])
    pipeline = Pipeline([("preprocess", prep), ("model", LogisticRegression())])
    model = LabelEncodedClassifier(FoldBaggedClassifier(pipeline, n_folds=3)).fit(X, labels)
    assert list(model.estimator_.classes_) == [0, 1]
    assert set(model.predict(X)) == {"a", "b"}
