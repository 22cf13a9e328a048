"""Evaluation data and plots of a fitted model, checked against scikit-learn on tiny data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    roc_curve,
)

from modelyard.ml.automl.estimators import LabelEncodedClassifier
from modelyard.ml.evaluation import EvaluationInput, evaluate
from modelyard.ml.plots import render
from modelyard.services.run_artifacts import SearchFeed, leaderboard_csv


@pytest.fixture(scope="module")
def binary() -> tuple[EvaluationInput, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=200, n_features=4, n_informative=3, n_redundant=0, random_state=0
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    labels = np.where(y == 1, "yes", "no")
    model = LabelEncodedClassifier(LogisticRegression()).fit(frame.iloc[:150], labels[:150])
    data = EvaluationInput(
        model=model,
        task="classification",
        metric="roc_auc",
        X_test=frame.iloc[150:],
        y_test=list(labels[150:]),
        classes=["no", "yes"],
        X_all=frame,
        y_all=list(labels),
    )
    return data, model.predict_proba(frame.iloc[150:])[:, 1]


def test_classification_metrics_and_curves_match_sklearn(binary) -> None:
    data, score = binary
    evaluation = evaluate(data)
    truth = np.array(data.y_test) == "yes"
    predicted = score >= 0.5
    assert evaluation["metrics"]["roc_auc"] == pytest.approx(roc_auc_score(truth, score))
    assert evaluation["metrics"]["pr_auc"] == pytest.approx(average_precision_score(truth, score))
    assert evaluation["metrics"]["f1_macro"] == pytest.approx(
        f1_score(truth, predicted, average="macro")
    )
    assert evaluation["confusion_matrix"] == confusion_matrix(truth, predicted).tolist()
    fpr, tpr, _ = roc_curve(truth, score)
    (roc,) = evaluation["roc"]
    assert roc["label"] == "yes" and roc["fpr"][0] == fpr[0] and roc["tpr"][-1] == tpr[-1]
    at_half = next(r for r in evaluation["thresholds"] if r["threshold"] == 0.5)
    assert at_half["f1"] == pytest.approx(f1_score(truth, predicted))
    assert sum(evaluation["calibration"]["count"]) == len(truth)
    assert {r["feature"] for r in evaluation["importance"]} == {"a", "b", "c", "d"}
    assert len(evaluation["shap"]) == 4
    curve = evaluation["learning_curve"]
    assert curve["train_size"] == sorted(curve["train_size"]) and len(curve["val_score"]) >= 2


def test_regression_gets_residuals_and_predicted_vs_actual() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200)})
    y = 3 * frame["x"] + rng.normal(scale=0.1, size=200)
    model = LinearRegression().fit(frame.iloc[:150], y[:150])
    data = EvaluationInput(model, "regression", "rmse", frame.iloc[150:], list(y[150:]))
    evaluation = evaluate(data)
    predicted = model.predict(frame.iloc[150:])
    assert evaluation["metrics"]["r2"] == pytest.approx(r2_score(y[150:], predicted))
    assert evaluation["metrics"]["mae"] == pytest.approx(mean_absolute_error(y[150:], predicted))
    residual = evaluation["predicted_vs_actual"]["residual"]
    assert residual == pytest.approx(list(y[150:] - predicted))
    assert evaluation["importance"][0]["feature"] == "x"
    assert evaluation["learning_curve"] is None  # no full data given


def test_plots_write_one_png_per_part(binary) -> None:
    pictures = render(evaluate(binary[0]))
    expected = {"roc", "pr", "calibration", "thresholds", "confusion_matrix", "importance"}
    assert {f"plots/{name}.png" for name in expected} <= set(pictures)
    assert all(png.startswith(b"\x89PNG") for png in pictures.values())


def test_leaderboard_csv_and_the_live_feed() -> None:
    trial = {
        "number": 0,
        "family": "linear",
        "status": "ok",
        "val_score": 0.8,
        "fit_time_s": 0.1,
        "elapsed_s": 0.2,
        "params": {"C": 1.0},
    }
    text = leaderboard_csv([trial])
    assert text.splitlines()[0].startswith("number,family,status,val_score")
    assert '"{""C"": 1.0}"' in text

    class Reporter:
        published: list = []

        def report(self, fraction, message): ...
        def log(self, message, level="INFO"): ...
        def partial(self, data):
            self.published.append(data)

    reporter = Reporter()
    feed = SearchFeed(reporter, budget_s=30, max_trials=3)
    feed.on_progress("task classification, metric log_loss, validation holdout (small)")
    feed.on_trial(trial)
    (published,) = reporter.published
    assert published["metric"] == "log_loss" and published["is_higher_better"] is False
    assert published["trials"][0]["family"] == "linear" and published["max_trials"] == 3


class _Opaque:
    """The same model behind an object the compiled inference path does not know."""

    def __init__(self, model) -> None:
        self.classes_ = model.classes_
        self._model = model

    def predict_proba(self, X):
        return self._model.predict_proba(X)

    def predict(self, X):
        return self._model.predict(X)


def test_importance_and_shap_through_the_compiled_path_equal_the_plain_model() -> None:
    from modelyard.ml.automl import AutoMLConfig, fit_automl
    from modelyard.ml.evaluation import _Scorer
    from tests.factories import churn_frame

    config = AutoMLConfig(time_budget_s=30, max_trials=2, families=("lightgbm",), ensemble=False)
    result = fit_automl(churn_frame(), "churned", config)  # a categorical and a boolean column
    data = EvaluationInput(
        model=result.model,
        task="classification",
        metric="roc_auc",
        X_test=result.test_features,
        y_test=list(result.y_test),
        classes=result.classes,
    )
    assert _Scorer(data.model, data.X_test, "classification").is_compiled
    opaque = dataclasses.replace(data, model=_Opaque(result.model))
    assert not _Scorer(opaque.model, data.X_test, "classification").is_compiled
    fast, plain = evaluate(data), evaluate(opaque)
    for part, value in (("shap", "mean_abs_shap"), ("importance", "importance")):
        assert [r["feature"] for r in fast[part]] == [r["feature"] for r in plain[part]]
        assert [r[value] for r in fast[part]] == pytest.approx([r[value] for r in plain[part]])
    assert fast["shap"][0]["mean_abs_shap"] > 0


def test_calibration_bins_with_few_rows_join_the_next_one() -> None:
    from modelyard.ml.evaluation import _calibration

    rng = np.random.default_rng(0)
    score = np.r_[rng.uniform(0.0, 0.1, 300), [0.45, 0.47], rng.uniform(0.6, 0.7, 20), [0.99]]
    y = (rng.uniform(size=len(score)) < score).astype(int)
    proba = np.column_stack([1 - score, score])
    curve = _calibration(y, proba, ["no", "yes"])
    assert sum(curve["count"]) == len(score)
    assert min(curve["count"]) >= 10  # no point from two rows swinging between 0 and 1
    assert curve["count"][0] == 300  # the well-filled bin stays alone
    assert curve["mean_predicted"] == sorted(curve["mean_predicted"])
    everything_sparse = _calibration(y[300:], proba[300:], ["no", "yes"])
    assert everything_sparse["count"] == [len(score) - 300]  # one bin rather than none
