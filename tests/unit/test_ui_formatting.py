"""How metric names read on cards, charts and chips."""

import pytest

from modelyard.ui.formatting import metric_name


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("roc_auc", "ROC AUC"),
        ("pr_auc", "PR AUC"),
        ("mcc", "MCC"),
        ("f1_macro", "F1 macro"),
        ("precision_weighted", "Precision weighted"),
        ("mape", "MAPE"),
        ("mse", "MSE"),
        ("r2", "R²"),
        ("log_loss", "Log loss"),
    ],
)
def test_metric_names_keep_their_abbreviations_upper_case(name, label):
    assert metric_name(name) == label
