"""Temperature scaling: fitted on validation probabilities, kept through serving, SHAP, ONNX."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit, softmax

from modelyard.ml.automl.calibration import fit_temperature
from modelyard.ml.automl.estimators import LabelEncodedClassifier, temperature_scaled
from modelyard.ml.compiled import compile_model
from modelyard.ml.explain import explain
from tests.unit.test_compiled import (
    _COLUMNS,
    _assert_same,
    _frame,
    _member,
    _records,
    _target,
)


def _sampled(n: int, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated scores and labels drawn from them."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2.5, size=(n, n_classes))
    truth = softmax(logits, axis=1)
    y = np.array([rng.choice(n_classes, p=p) for p in truth])
    return logits, y


@pytest.mark.parametrize("n_classes", [2, 3])
def test_an_overconfident_model_gets_its_temperature_back(n_classes: int) -> None:
    logits, y = _sampled(4000, n_classes, seed=0)
    overconfident = softmax(logits * 2.0, axis=1)  # as if divided by T = 0.5
    fitted = fit_temperature(overconfident, y)
    assert 1.7 < fitted.temperature < 2.3
    assert fitted.is_worth_it and fitted.after < fitted.before
    underconfident = fit_temperature(softmax(logits / 3.0, axis=1), y)  # would want T = 1/3
    assert 0.5 <= underconfident.temperature < 0.52  # the floor
    assert underconfident.is_significant and underconfident.is_worth_it


def test_a_calibrated_model_is_left_alone() -> None:
    logits, y = _sampled(4000, 3, seed=1)
    fitted = fit_temperature(softmax(logits, axis=1), y)
    assert not fitted.is_worth_it
    assert 0.9 < fitted.temperature < 1.1


def test_temperature_keeps_the_predicted_class_and_sums_to_one() -> None:
    proba = softmax(np.random.default_rng(2).normal(size=(50, 4)), axis=1)
    for temperature in (0.3, 1.0, 4.0):
        scaled = temperature_scaled(proba, temperature)
        np.testing.assert_allclose(scaled.sum(axis=1), 1.0)
        assert (scaled.argmax(axis=1) == proba.argmax(axis=1)).all()
    assert temperature_scaled(proba, 1.0) is proba


def _calibrated(family: str, task: str, temperature: float) -> LabelEncodedClassifier:
    X = _frame(200, seed=1)
    y = _target(X, task, seed=2)
    n_classes = 3 if task == "multiclass" else 2
    return LabelEncodedClassifier(_member(family, X, task, n_classes), temperature=temperature).fit(
        X, y
    )


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_the_compiled_path_serves_the_calibrated_probabilities(task: str) -> None:
    model = _calibrated("lightgbm", task, 0.5)
    plain = LabelEncodedClassifier(model.estimator_)
    plain.label_encoder_, plain.classes_, plain.estimator_ = (
        model.label_encoder_,
        model.classes_,
        model.estimator_,
    )
    X = _frame(30, seed=4)
    assert not np.allclose(model.predict_proba(X), plain.predict_proba(X))
    _assert_same(model, task)


@pytest.mark.parametrize("family", ["lightgbm", "linear"])
def test_exact_contributions_add_up_to_the_calibrated_score(family: str) -> None:
    served = compile_model(_calibrated(family, "binary", 0.4), _COLUMNS, task="classification")
    records = _records(_frame(20, seed=5, unseen=True))
    contributions = explain(served, records)
    probabilities = served.predict_records(records).probabilities
    assert probabilities is not None
    total = contributions.values.sum(axis=1) + contributions.base
    np.testing.assert_allclose(total, logit(probabilities[:, 1]), atol=1e-5)


def test_a_calibrated_forest_is_explained_by_sampled_shapley_of_its_probability() -> None:
    served = compile_model(
        _calibrated("random_forest", "binary", 0.5), _COLUMNS, task="classification"
    )
    records = _records(_frame(5, seed=6))
    contributions = explain(served, records)
    probabilities = served.predict_records(records).probabilities
    assert probabilities is not None
    total = contributions.values.sum(axis=1) + contributions.base
    np.testing.assert_allclose(total, probabilities[:, 1], atol=1e-6)


def test_onnx_export_carries_the_temperature() -> None:
    import onnxruntime as rt
    from sklearn.preprocessing import StandardScaler

    from modelyard.ml.onnx_export import export_onnx, onnx_inputs
    from tests.unit.test_onnx_export import COLUMNS, _data, _pipeline

    X, y = _data()
    model = _pipeline(StandardScaler()).set_params(temperature=0.3).fit(X, y)
    content = export_onnx(model, X, COLUMNS, task="classification")
    session = rt.InferenceSession(content, providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(None, onnx_inputs(X, COLUMNS))
    assert list(labels.reshape(-1)) == list(model.predict(X))
    np.testing.assert_allclose(probabilities, model.predict_proba(X), atol=1e-5)


def test_the_final_model_takes_a_temperature_worth_having_and_says_so() -> None:
    from modelyard.ml.automl.final import FinalModel, calibrate

    logits, y = _sampled(2000, 3, seed=3)
    overconfident = FinalModel(None, "lightgbm", 0.3, val_predictions=softmax(logits * 1.5, axis=1))
    notes: list[str] = []
    calibrated = calibrate(overconfident, y, notes=notes)
    assert 1.3 < calibrated.temperature < 1.7
    assert len(notes) == 1 and "validation log loss" in notes[0]
    fine = FinalModel(None, "lightgbm", 0.3, val_predictions=softmax(logits, axis=1))
    assert calibrate(fine, y, notes=[]).temperature == 1.0
    thresholded = FinalModel(None, "lightgbm", 0.3, threshold=0.3, val_predictions=None)
    assert calibrate(thresholded, y, notes=[]) is thresholded


def test_sharpening_that_only_a_near_perfect_validation_supports_is_not_kept() -> None:
    from modelyard.ml.automl.final import FinalModel, calibrate

    # 200 rows all ranked right: any sharpening lowers their log loss by a large fraction
    # (the optimum is the floor), yet by one nat in all - no evidence (the penguins case)
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 200)
    logits = np.full((200, 3), 0.0)
    logits[np.arange(200), y] = 6.0
    proba = softmax(logits, axis=1)
    fitted = fit_temperature(proba, y)
    assert fitted.temperature < 0.51 and fitted.after < fitted.before * 0.1
    assert not fitted.is_significant and not fitted.is_worth_it
    notes: list[str] = []
    final = FinalModel(None, "linear", 0.01, val_predictions=proba)
    assert calibrate(final, y, notes=notes).temperature == 1.0
    assert len(notes) == 1 and "too little evidence" in notes[0]
    # one row ranked wrong bounds the optimum: a temperature inside the range is an
    # estimate, kept even on few rows
    logits[0, y[0]], logits[0, (y[0] + 1) % 3] = 0.0, 2.0
    bounded = fit_temperature(softmax(logits, axis=1), y)
    assert 0.6 < bounded.temperature < 0.95 and bounded.is_worth_it


def test_knn_probabilities_are_never_exactly_zero_or_one() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    from modelyard.ml.automl.estimators import PRIOR_VOTES, SmoothedKNeighborsClassifier
    from modelyard.ml.automl.families import FAMILIES, FamilyContext

    rng = np.random.default_rng(0)
    X = np.vstack(
        [rng.normal(0, 1, (30, 2)), rng.normal(6, 1, (30, 2)), rng.normal(12, 1, (30, 2))]
    )
    y = np.repeat([0, 1, 2], 30)
    rows = np.array([[0.0, 0.0], [3.0, 3.0], [12.0, 12.0]])
    for k in (1, 5, 15):
        plain = KNeighborsClassifier(n_neighbors=k).fit(X, y)
        smoothed = SmoothedKNeighborsClassifier(n_neighbors=k).fit(X, y)
        proba = smoothed.predict_proba(rows)
        assert plain.predict_proba(rows).min() == 0.0  # the defect: a class at exactly 0
        assert proba.min() > 0.0 and proba.max() < 1.0
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        expected = (plain.predict_proba(rows) * k + PRIOR_VOTES / 3) / (k + PRIOR_VOTES)
        np.testing.assert_allclose(proba, expected)
        assert list(smoothed.predict(rows)) == list(proba.argmax(axis=1))
    ctx = FamilyContext(
        task="classification", n_rows=90, n_features=2, n_classes=3, seed=0, n_jobs=1
    )
    knn = FAMILIES["knn"]
    assert isinstance(knn.make(knn.default(ctx), ctx), SmoothedKNeighborsClassifier)
