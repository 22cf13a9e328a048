"""The search's own metrics agree with scikit-learn's (their speed, beside scikit-learn's,
is printed by ``benchmarks/automl_budget_sweep.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from modelyard.ml.automl.metrics import METRICS, confusion


def _case(seed: int, n_classes: int, n_rows: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities with ties, a class never predicted and, for three or more
    classes, a class absent from the labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_rows)
    if n_classes > 2:
        y[y == n_classes - 1] = 0  # the last class has no rows
    proba = rng.dirichlet(np.ones(n_classes), n_rows).round(1)  # rounding makes ties
    proba[:, 1] = np.minimum(proba[:, 1], 0.05)  # class 1 is (almost) never predicted
    return y, proba / proba.sum(axis=1, keepdims=True)


def _reference(name: str, y: np.ndarray, proba: np.ndarray) -> float:
    labels = list(range(proba.shape[1]))
    predicted = proba.argmax(axis=1)
    if name == "mcc":
        return sk.matthews_corrcoef(y, predicted)
    if name == "pr_auc":
        if proba.shape[1] == 2:
            return sk.average_precision_score(y, proba[:, 1])
        return np.mean([sk.average_precision_score(y == k, proba[:, k]) for k in np.unique(y)])
    kind, average = name.split("_")
    fn = {"f1": sk.f1_score, "precision": sk.precision_score, "recall": sk.recall_score}[kind]
    return fn(y, predicted, labels=labels, average=average, zero_division=0)


NAMES = ["f1_macro", "f1_weighted", "precision_macro", "precision_weighted", "recall_macro"]
NAMES += ["recall_weighted", "mcc", "pr_auc"]


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("name", NAMES)
def test_classification_metrics_match_scikit_learn(name, n_classes):
    for seed in range(5):
        y, proba = _case(seed, n_classes)
        assert METRICS[name].score(y, proba) == pytest.approx(_reference(name, y, proba), abs=1e-12)


def test_mcc_is_zero_when_one_class_is_predicted():
    y = np.array([0, 1, 1, 0])
    proba = np.tile([0.8, 0.2], (4, 1))
    assert METRICS["mcc"].score(y, proba) == 0.0 == sk.matthews_corrcoef(y, proba.argmax(1))


def test_pr_auc_refuses_labels_without_a_positive_row():
    with pytest.raises(ValueError, match="positive row"):
        METRICS["pr_auc"].score(np.zeros(4, dtype=int), np.tile([0.6, 0.4], (4, 1)))


def test_confusion_counts_true_classes_by_row():
    y = np.array([0, 0, 1, 2])
    proba = np.eye(3)[[0, 1, 1, 0]]
    assert confusion(y, proba) == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]
