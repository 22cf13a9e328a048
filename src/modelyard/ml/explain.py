"""Per-record feature contributions (SHAP values) of a served model.

Contributions are computed on the model's transformed matrix and mapped back to the input
columns by summing the parts one input became (one-hot levels, calendar parts, indicator
columns). Boosting libraries compute exact tree SHAP themselves (LightGBM ``pred_contrib``,
XGBoost ``pred_contribs``, CatBoost ``ShapValues``); scikit-learn trees go through shap's
``TreeExplainer``; linear models give ``coefficient x value`` (relative to an all-zero
transformed input, i.e. the training mean of scaled numbers). Classification explains the
raw score of the positive class (binary) or of the predicted class (multiclass); a
calibrated model's raw score is divided by its temperature (see ml/automl/calibration.py).

Every other supervised model (ensembles and stacks, k-NN, SVM, networks, pipelines that are
not compiled) gets sampled Shapley values of its output (the positive class's probability,
the predicted class's probability, or the regression value) against a baseline record with
every input missing: the pipeline imputes it as an "average" record (medians, most frequent
or unseen categories). Antithetic random feature orders; each order telescopes, so the
contributions always add up to ``output(record) - output(baseline)`` exactly. Unsupervised
models are not explained (``explain.not_available``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from modelyard.errors import InvalidInputError
from modelyard.ml.compiled import NotCompilable, ServedModel, _pipeline_of, input_owners

DEFAULT_TOP_K = 5


@dataclass(frozen=True)
class Contributions:
    names: list[str]  # the input columns
    values: np.ndarray  # (n_records, n_inputs)
    base: np.ndarray  # (n_records,): the expected score; base + row sum = the model's score

    def top(self, k: int) -> list[dict[str, float]]:
        """Per record, the ``k`` largest contributions by absolute value."""
        result = []
        for row in self.values:
            order = np.argsort(-np.abs(row), kind="stable")[: max(k, 0)]
            result.append({self.names[i]: float(row[i]) for i in order})
        return result


def not_available(reason: str) -> InvalidInputError:
    return InvalidInputError(
        f"This model cannot explain its predictions: {reason}. Predict without 'explain'; "
        "contributions exist for classification and regression models.",
        code="explain.not_available",
    )


def _estimator_of(served: ServedModel) -> Any:
    from modelyard.ml.automl.estimators import LabelEncodedClassifier

    try:
        estimator = _pipeline_of(served.pipeline).steps[1][1]
    except (NotCompilable, AttributeError) as exc:
        raise not_available("it is an ensemble or not a standard pipeline") from exc
    if isinstance(estimator, LabelEncodedClassifier):
        estimator = estimator.estimator_
    return estimator


def _pick(values: np.ndarray, base: np.ndarray, classes: np.ndarray | None) -> Any:
    """values (n, K, F), base (n, K) -> the chosen class's (n, F), (n,)."""
    if classes is None:
        return values[:, 0, :], base[:, 0]
    rows = np.arange(values.shape[0])
    return values[rows, classes, :], base[rows, classes]


def explain(served: ServedModel, records: list[dict[str, Any]]) -> Contributions:
    """The contributions of every input column for each record."""
    if served.task not in ("classification", "regression"):
        raise not_available(f"{served.task} models have no prediction to explain")
    try:
        return _exact(served, records)
    except InvalidInputError as exc:
        if exc.code != "explain.not_available":
            raise
        return sampled_shapley(served, records)


def _exact(served: ServedModel, records: list[dict[str, Any]]) -> Contributions:
    """Tree SHAP or linear contributions, for single compiled tree and linear models."""
    if not served.is_compiled:
        raise not_available(served.reason or "its pipeline has steps the explainer cannot read")
    estimator = _estimator_of(served)
    temperature = float(getattr(served.pipeline, "temperature", 1.0))
    if temperature != 1.0 and type(estimator).__name__.startswith(_PROBABILITY_TREES):
        raise not_available("its tree SHAP values are probabilities, not calibrated scores")
    X = served.transformed(records)
    per_class, base = _raw_contributions(estimator, X)
    per_class, base = per_class / temperature, base / temperature  # calibrated raw scores
    chosen: np.ndarray | None = None  # one raw score: regression, or binary's class 1
    if per_class.shape[1] == 2:
        chosen = np.ones(X.shape[0], dtype=int)
    elif per_class.shape[1] > 2:
        scores = served.predict_records(records)
        assert scores.probabilities is not None
        chosen = np.argmax(scores.probabilities, axis=1)
    values, bases = _pick(per_class, base, chosen)
    owners = input_owners(served.pipeline)
    names = served.feature_names
    index = {name: i for i, name in enumerate(names)}
    summed = np.zeros((X.shape[0], len(names)))
    for j, owner in enumerate(owners):
        summed[:, index[owner]] += values[:, j]
    return Contributions(names, summed, bases)


# scikit-learn forests and trees: TreeExplainer explains their probabilities, which a
# temperature does not rescale linearly (boosting and linear models explain log-odds).
_PROBABILITY_TREES = ("RandomForest", "ExtraTrees", "DecisionTree")


def _raw_contributions(model: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, K, F) contributions and (n, K) base values of the model's raw score."""
    kind = type(model)
    module, name = kind.__module__, kind.__name__
    n = X.shape[0]
    if module.startswith("lightgbm"):
        raw = np.asarray(model.booster_.predict(X, pred_contrib=True), dtype=float)
        k = raw.shape[1] // (X.shape[1] + 1)
        raw = raw.reshape(n, k, X.shape[1] + 1)
        return raw[:, :, :-1], raw[:, :, -1]
    if module.startswith("xgboost"):
        from xgboost import DMatrix

        raw = np.asarray(model.get_booster().predict(DMatrix(X), pred_contribs=True), dtype=float)
        raw = raw.reshape(n, -1, X.shape[1] + 1)
        return raw[:, :, :-1], raw[:, :, -1]
    if module.startswith("catboost"):
        from catboost import Pool

        raw = np.asarray(model.get_feature_importance(Pool(X), type="ShapValues"), dtype=float)
        raw = raw.reshape(n, -1, X.shape[1] + 1)
        return raw[:, :, :-1], raw[:, :, -1]
    if name in ("LogisticRegression", "ElasticNet", "LinearRegression", "Ridge", "Lasso"):
        coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
        intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=float))
        values = X[:, None, :] * coef[None, :, :]
        return values, np.tile(intercept, (n, 1))
    if module.startswith("sklearn.ensemble") or module.startswith("sklearn.tree"):
        if name.startswith(("HistGradient", "RandomForest", "ExtraTrees", "DecisionTree")):
            import shap

            explainer = shap.TreeExplainer(model)
            shap_values = np.asarray(explainer.shap_values(X, check_additivity=False), dtype=float)
            expected = np.atleast_1d(np.asarray(explainer.expected_value, dtype=float))
            if shap_values.ndim == 2:
                shap_values = shap_values[:, :, None]
            values = np.transpose(shap_values, (0, 2, 1))
            return values, np.tile(expected, (n, 1))
    raise not_available(f"no contribution method for {name}")


def sampled_shapley(
    served: ServedModel, records: list[dict[str, Any]], *, orders: int = 8, seed: int = 0
) -> Contributions:
    """Shapley values of the model's output against an all-missing baseline record, from
    ``2 * orders`` antithetic feature orders (model-agnostic; one batched predict per record)."""
    names = served.feature_names
    rng = np.random.default_rng(seed)
    perms: list[np.ndarray] = []
    for _ in range(orders):
        order = rng.permutation(len(names))
        perms += [order, order[::-1]]
    values = np.zeros((len(records), len(names)))
    base = np.zeros(len(records))
    for r, record in enumerate(records):
        hybrids: list[dict[str, Any]] = []
        for order in perms:
            current: dict[str, Any] = dict.fromkeys(names)
            hybrids.append(dict(current))
            for j in order:
                current[names[j]] = record.get(names[j])
                hybrids.append(dict(current))
        outputs = _output(served, hybrids, record).reshape(len(perms), len(names) + 1)
        for p, order in enumerate(perms):
            values[r, order] += np.diff(outputs[p])
        values[r] /= len(perms)
        base[r] = outputs[0, 0]
    return Contributions(names, values, base)


def _output(served: ServedModel, rows: list[dict[str, Any]], record: dict[str, Any]) -> Any:
    """The explained output for ``rows``: the regression value, the positive class's
    probability (binary) or the probability of the class predicted for ``record``."""
    scores = served.predict_records(rows)
    if scores.probabilities is None:
        return np.asarray(scores.predictions, dtype=float)
    probabilities = np.asarray(scores.probabilities, dtype=float)
    if probabilities.shape[1] == 2:
        return probabilities[:, 1]
    own = served.predict_records([record]).probabilities
    assert own is not None
    return probabilities[:, int(np.argmax(own[0]))]
