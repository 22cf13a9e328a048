import numpy as np
import pandas as pd
import pytest

from modelyard.errors import InvalidInputError
from modelyard.ml import detect_task, train_tabular_model
from tests.factories import churn_frame


def test_text_and_few_integers_are_classification_quantities_regression():
    assert detect_task(pd.Series(["a", "b"] * 10)) == "classification"
    assert detect_task(pd.Series([0, 1] * 50)) == "classification"
    assert detect_task(pd.Series(np.linspace(0, 1, 100))) == "regression"


def test_classifier_learns_and_reports_hold_out_metrics():
    outcome = train_tabular_model(churn_frame(), "churned", seed=0)
    assert outcome.task == "classification"
    assert outcome.classes == ["no", "yes"]
    assert outcome.metrics["accuracy"] > 0.7
    assert set(outcome.metrics) >= {"accuracy", "f1_macro", "roc_auc", "log_loss"}
    assert outcome.n_test > 0 and outcome.n_train > outcome.n_test


def test_regressor_learns():
    frame = churn_frame().drop(columns="churned")
    frame["value"] = frame["tenure"] * 3 + frame["spend"]
    outcome = train_tabular_model(frame, "value")
    assert outcome.task == "regression"
    assert outcome.metrics["r2"] > 0.8


def test_same_seed_gives_same_metrics():
    first = train_tabular_model(churn_frame(), "churned", seed=3)
    second = train_tabular_model(churn_frame(), "churned", seed=3)
    assert first.metrics == second.metrics


def test_leaky_constant_and_empty_columns_are_dropped_with_reasons():
    frame = churn_frame()
    frame["copy"] = frame["churned"]
    frame["constant"] = 1
    frame["empty"] = np.nan
    outcome = train_tabular_model(frame, "churned")
    assert outcome.dropped_columns == {
        "copy": "identical to the target (leakage)",
        "constant": "constant",
        "empty": "all values missing",
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda f: f.assign(churned="yes"), "training.target_single_value"),
        (lambda f: f.assign(churned=np.nan), "training.target_empty"),
        (lambda f: f.head(5), "training.too_few_rows"),
        (lambda f: f[["churned"]], "training.no_features"),
    ],
)
def test_bad_training_input_gets_a_clear_error(change, code):
    with pytest.raises(InvalidInputError) as info:
        train_tabular_model(change(churn_frame()), "churned")
    assert info.value.code == code


def test_unknown_target_lists_the_columns():
    with pytest.raises(InvalidInputError, match="'nope' is not in the data"):
        train_tabular_model(churn_frame(), "nope")
