"""The compiled inference path equals the plain pipeline, family by family (to 1e-9)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from modelyard.ml.automl.columns import classify_columns
from modelyard.ml.automl.estimators import LabelEncodedClassifier
from modelyard.ml.automl.families import FAMILIES, FamilyContext
from modelyard.ml.automl.preprocessing import build_preprocessor
from modelyard.ml.compiled import compile_model
from modelyard.ml.scoring import feature_frame, score

# small settings so that every family fits in well under a second
_SMALL = {
    "lightgbm": {"n_estimators": 15},
    "xgboost": {"n_estimators": 15},
    "catboost": {"iterations": 15},
    "hist_gradient_boosting": {"max_iter": 15},
    "random_forest": {"n_estimators": 10},
    "extra_trees": {"n_estimators": 10},
    "mlp": {"hidden_size": 32, "n_layers": 1},
}
_COLUMNS = [
    ("amount", "numeric"),
    ("age", "integer"),
    ("plan", "categorical"),
    ("city", "categorical"),
    ("signup", "datetime"),
    ("note", "text"),
]


def _frame(n: int, seed: int, *, unseen: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    plans = np.array(["basic", "pro", "team", None], dtype=object)
    plan = plans[rng.integers(0, 4, n)]
    # the amount follows the plan: scaled families impute it by plan (GroupMedianImputer)
    amount = (rng.normal(50, 20, n) + 30 * (plan == "team") - 30 * (plan == "basic")).round(3)
    amount[rng.random(n) < 0.1] = np.nan
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    city = np.array([f"city{i}" for i in rng.integers(0, 40, n)], dtype=object)
    if unseen:
        plan[:5] = "enterprise"  # never seen in training
        city[:5] = "atlantis"
    days = rng.integers(0, 2000, n)
    signup = [
        str(pd.Timestamp("2019-01-01") + pd.Timedelta(days=int(d), hours=int(d % 24))) for d in days
    ]
    signup[3] = None
    words = np.array(["late", "payment", "happy", "support", "call", "upgrade", "refund"])
    note: list[object] = [f"customer {i} said {' '.join(rng.choice(words, 3))}" for i in range(n)]
    note[2] = None
    return pd.DataFrame(
        {"amount": amount, "age": age, "plan": plan, "city": city, "signup": signup, "note": note}
    )


def _target(frame: pd.DataFrame, task: str, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    signal = (
        frame["amount"].fillna(50) / 20
        + (frame["plan"] == "pro") * 1.5
        + rng.normal(0, 1, len(frame))
    )
    if task == "regression":
        return signal.astype(float)
    if task == "multiclass":
        return pd.Series(np.digitize(signal, [2.0, 3.5]), dtype=int).map(
            {0: "low", 1: "mid", 2: "high"}
        )
    return pd.Series(np.where(signal > 3, "yes", "no"))


def _member(family: str, X: pd.DataFrame, task: str, n_classes: int) -> Pipeline:
    spec = FAMILIES[family]
    ctx = FamilyContext(
        task="regression" if task == "regression" else "classification",
        n_rows=len(X),
        n_features=X.shape[1],
        n_classes=n_classes,
        seed=0,
        n_jobs=1,
    )
    params = {**spec.default(ctx), **_SMALL.get(family, {})}
    prep = build_preprocessor(classify_columns(X), scaled=spec.is_scaled, task=ctx.task, seed=0)
    return Pipeline([("preprocess", prep), ("model", spec.make(params, ctx))])


def _fit(estimator: Any, X: pd.DataFrame, y: pd.Series, task: str) -> Any:
    model = estimator if task == "regression" else LabelEncodedClassifier(estimator)
    return model.fit(X, y)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _assert_same(model: Any, task: str) -> None:
    plain_task = "regression" if task == "regression" else "classification"
    served = compile_model(model, _COLUMNS, task=plain_task)
    assert served.is_compiled, served.reason
    test = _frame(60, seed=7, unseen=True)
    records = _records(test)
    frame = pd.DataFrame.from_records(records, columns=[name for name, _ in _COLUMNS])
    expected = score(model, feature_frame(frame, _COLUMNS), task=plain_task)
    for got in (served.predict_records(records), served.predict_frame(test)):
        if plain_task == "regression":
            np.testing.assert_allclose(got.predictions, expected.predictions, rtol=0, atol=1e-9)
        else:
            assert got.labels == expected.labels
            assert list(got.predictions) == list(expected.predictions)
            np.testing.assert_allclose(got.probabilities, expected.probabilities, rtol=0, atol=1e-9)
    # the single-record serving case, against the pipeline on that one record (networks
    # compute in float32, where a batch's size may change the last bits)
    one = served.predict_records(records[:1])
    alone = score(model, feature_frame(frame.iloc[:1], _COLUMNS), task=plain_task)
    if plain_task == "classification":
        np.testing.assert_allclose(one.probabilities, alone.probabilities, rtol=0, atol=1e-9)
    else:
        np.testing.assert_allclose(one.predictions, alone.predictions, rtol=0, atol=1e-9)


_FAMILIES = [
    "lightgbm",
    "xgboost",
    "catboost",
    "hist_gradient_boosting",
    "random_forest",
    "extra_trees",
    "decision_tree",
    "linear",
    "knn",
    "mlp",
]


@pytest.mark.parametrize("family", _FAMILIES)
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_compiled_equals_pipeline(family: str, task: str) -> None:
    if not FAMILIES[family].is_available:
        pytest.skip(f"{family} is not installed")
    X = _frame(200, seed=1)
    y = _target(X, task, seed=2)
    model = _fit(_member(family, X, task, 2), X, y, task)
    _assert_same(model, task)


@pytest.mark.parametrize(
    "family", ["lightgbm", "xgboost", "linear", "random_forest", "extra_trees"]
)
def test_compiled_equals_pipeline_multiclass(family: str) -> None:
    X = _frame(200, seed=1)
    y = _target(X, "multiclass", seed=2)
    model = _fit(_member(family, X, "multiclass", 3), X, y, "multiclass")
    _assert_same(model, "multiclass")


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_compiled_ensemble_equals_pipeline(task: str) -> None:
    X = _frame(200, seed=1)
    y = _target(X, task, seed=2)
    members = [
        (f"trial_{i}_{f}", _member(f, X, task, 2))
        for i, f in enumerate(["lightgbm", "linear", "knn"])
    ]
    if task == "regression":
        voting: Any = VotingRegressor(members, weights=[2.0, 1.0, 1.0])
    else:
        voting = VotingClassifier(members, voting="soft", weights=[2.0, 1.0, 1.0])
    _assert_same(_fit(voting, X, y, task), task)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_compiled_stack_equals_pipeline(task: str) -> None:
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import Ridge

    from modelyard.ml.automl.estimators import StackedModel

    X = _frame(200, seed=1)
    y = _target(X, task, seed=2)
    n_classes = {"binary": 2, "multiclass": 3, "regression": 0}[task]
    members = [_member(f, X, task, max(n_classes, 2)) for f in ["lightgbm", "linear", "knn"]]
    rng = np.random.default_rng(3)
    if task == "regression":
        meta: Any = Ridge().fit(rng.normal(size=(50, 3)), rng.normal(size=50))
    else:  # the meta-learner reads the positive class (binary) or every class of each member
        width = 3 if n_classes == 2 else 3 * n_classes
        meta = LogisticRegression().fit(rng.random((60, width)), np.arange(60) % n_classes)
    stack = StackedModel(
        members,
        FrozenEstimator(meta),
        task="regression" if task == "regression" else "classification",
        n_classes=n_classes,
    )
    _assert_same(_fit(stack, X, y, task), task)


@pytest.mark.parametrize("threshold", [0.2, 0.8])
def test_compiled_thresholded_model_equals_pipeline(threshold: float) -> None:
    from modelyard.ml.automl.thresholds import ThresholdClassifier

    X = _frame(200, seed=1)
    y = _target(X, "binary", seed=2)
    inner = LabelEncodedClassifier(_member("lightgbm", X, "binary", 2), temperature=1.3)
    model = ThresholdClassifier(inner, threshold=threshold).fit(X, y)
    served = compile_model(model, _COLUMNS, task="classification")
    assert served.is_compiled, served.reason
    _assert_same(model, "binary")
    scores = served.predict_records(_records(_frame(60, seed=7)))
    assert scores.probabilities is not None
    expected = np.where(scores.probabilities[:, 1] >= threshold, "yes", "no")
    assert list(scores.predictions) == list(expected)  # the threshold, not the argmax


def test_unknown_step_falls_back_to_the_plain_pipeline() -> None:
    X = _frame(200, seed=1)
    y = _target(X, "binary", seed=2)
    numeric = X[["amount", "age"]].fillna(0)
    model = LabelEncodedClassifier(LogisticRegression()).fit(numeric, y)  # no preprocessing
    columns = [("amount", "numeric"), ("age", "integer")]
    served = compile_model(model, columns, task="classification")
    assert not served.is_compiled
    assert served.reason
    records = [{"amount": 10.0, "age": 30.0}, {"amount": 80.0, "age": 60.0}]
    got = served.predict_records(records)
    expected = model.predict_proba(pd.DataFrame.from_records(records))
    np.testing.assert_allclose(got.probabilities, expected, rtol=0, atol=1e-12)


def test_trial_latency_is_measured_on_the_path_a_deployment_serves() -> None:
    from modelyard.ml.automl.trials import _served_predict, measure
    from modelyard.ml.scoring import Scores

    X = _frame(200, seed=1)
    y = _target(X, "binary", seed=2)
    model = _fit(_member("lightgbm", X, "binary", 2), X, y, "binary")
    assert isinstance(_served_predict(model, X.iloc[[0]], "classification")(), Scores)
    numeric = X[["amount", "age"]].fillna(0)
    plain = LabelEncodedClassifier(LogisticRegression()).fit(numeric, y)  # does not compile
    assert isinstance(_served_predict(plain, numeric.iloc[[0]], "classification")(), np.ndarray)
    latency_ms, size = measure(model, X.iloc[[0]], task="classification")
    assert latency_ms > 0 and size > 0
