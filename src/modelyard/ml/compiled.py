"""A compiled inference path for saved AutoML pipelines.

Scoring a fitted ``ColumnTransformer`` + model pipeline on a one-row pandas DataFrame costs
milliseconds, almost all of it pandas and scikit-learn bookkeeping. ``compile_model`` walks
the fitted pipeline once and re-implements each fitted transform on NumPy arrays (records go
straight to one float64 matrix), then calls the estimator on that matrix: LightGBM through
its Booster, every other estimator through its own ``predict``/``predict_proba`` on the
array it was fitted on. The outputs equal the original pipeline's (tests check 1e-9 on
every family). A pipeline with a step this module does not know is served as it is
(``ServedModel.is_compiled`` False, ``reason`` says why).

Unseen categories follow the pipeline's policy: one-hot columns all zero, target encoding
the training mean (see docs/serving.md).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modelyard.ml.scoring import NUMERIC_KINDS, Scores, feature_frame, score

_SMALL_BATCH = 1_000
_MISSING = "__missing__"


class NotCompilable(Exception):
    """A fitted step the compiled path does not re-implement."""


# --- column blocks -----------------------------------------------------------------------

Block = Callable[[dict[str, list[Any]], int], np.ndarray]


def _as_float_values(values: Sequence[Any]) -> np.ndarray:
    return np.asarray([math.nan if v is None else v for v in values], dtype=np.float64)


def _text_value(value: Any) -> Any:
    """As ``columns.as_text`` + the constant imputer: text, or the missing marker."""
    return _MISSING if _is_missing(value) else str(value)


def _matrix(columns: dict[str, Any], names: list[str], n: int) -> np.ndarray:
    out = np.empty((n, len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        values = columns[name]
        out[:, j] = values if isinstance(values, np.ndarray) else _as_float_values(values)
    return out


class _Imputer:
    def __init__(self, imputer: Any) -> None:
        from sklearn.impute import SimpleImputer

        if not isinstance(imputer, SimpleImputer) or imputer.strategy not in ("median", "mean"):
            raise NotCompilable(f"imputer {imputer!r}")
        statistics = np.asarray(imputer.statistics_, dtype=np.float64)
        if np.isnan(statistics).any() or imputer.missing_values is not np.nan:
            if not (
                isinstance(imputer.missing_values, float) and math.isnan(imputer.missing_values)
            ):
                raise NotCompilable("imputer with a non-NaN missing marker")
            if np.isnan(statistics).any():
                raise NotCompilable("imputer with an all-missing training column")
        self.statistics = statistics
        indicator = imputer.indicator_ if imputer.add_indicator else None
        if indicator is not None and indicator.features != "missing-only":
            raise NotCompilable("missing indicator over all features")
        self.indicator = None if indicator is None else np.asarray(indicator.features_, dtype=int)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        missing = np.isnan(X)
        out = np.where(missing, self.statistics, X)
        if self.indicator is not None:
            out = np.hstack([out, missing[:, self.indicator].astype(np.float64)])
        return out


class _Scaler:
    def __init__(self, scaler: Any) -> None:
        from sklearn.preprocessing import StandardScaler

        if type(scaler) is not StandardScaler:
            raise NotCompilable(f"scaler {scaler!r}")
        self.mean = None if not scaler.with_mean else np.asarray(scaler.mean_, dtype=np.float64)
        self.scale = None if not scaler.with_std else np.asarray(scaler.scale_, dtype=np.float64)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=np.float64, copy=True)
        if self.mean is not None:
            X -= self.mean
        if self.scale is not None:
            X /= self.scale
        return X


def _float_steps(steps: list[Any]) -> list[Callable[[np.ndarray], np.ndarray]]:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler

    compiled: list[Callable[[np.ndarray], np.ndarray]] = []
    for step in steps:
        if isinstance(step, SimpleImputer):
            compiled.append(_Imputer(step))
        elif isinstance(step, StandardScaler):
            compiled.append(_Scaler(step))
        else:
            raise NotCompilable(f"step {type(step).__name__}")
    return compiled


def _apply(steps: list[Callable[[np.ndarray], np.ndarray]], X: np.ndarray) -> np.ndarray:
    for step in steps:
        X = step(X)
    return X


def _steps_of(transformer: Any) -> list[Any]:
    from sklearn.pipeline import Pipeline

    if isinstance(transformer, Pipeline):
        return [step for _, step in transformer.steps if step not in (None, "passthrough")]
    return [transformer]


def _is_function(step: Any, name: str) -> bool:
    from sklearn.preprocessing import FunctionTransformer

    func = getattr(step, "func", None)
    return (
        isinstance(step, FunctionTransformer)
        and getattr(func, "__name__", "") == name
        and getattr(func, "__module__", "").startswith("modelyard.ml.automl")
    )


def _numeric_block(names: list[str], steps: list[Any]) -> Block:
    if steps and _is_function(steps[0], "_as_float"):
        steps = steps[1:]
    if steps and _is_group_imputer(steps[0]):
        return _grouped_numeric_block(names, steps)
    rest = _float_steps(steps)

    def block(columns: dict[str, Any], n: int) -> np.ndarray:
        return _apply(rest, _matrix(columns, names, n))

    return block


def _is_group_imputer(step: Any) -> bool:
    from modelyard.ml.automl.imputers import GroupMedianImputer

    return type(step) is GroupMedianImputer


def _grouped_numeric_block(names: list[str], steps: list[Any]) -> Block:
    """Numbers imputed by the median of their group (``GroupMedianImputer``): the plain
    imputer's fill, then each filled feature's group median where the row's level has one."""
    imputer = steps[0]
    numbers, groups = names[: imputer.n_numbers], names[imputer.n_numbers :]
    impute, rest = _Imputer(imputer.imputer_), _float_steps(steps[1:])
    fills = [
        (position, groups[group], pd.Index(levels), medians)
        for position, group, levels, medians in imputer.fills_
    ]

    def block(columns: dict[str, Any], n: int) -> np.ndarray:
        X = _matrix(columns, numbers, n)
        out = impute(X)
        missing = np.isnan(X)
        for position, group, levels, medians in fills:  # _Imputer drops no column:
            rows = np.flatnonzero(missing[:, position])  # a position is its input column
            found = levels.get_indexer([_text_value(columns[group][i]) for i in rows])
            out[rows[found >= 0], position] = medians[found[found >= 0]]
        return _apply(rest, out)

    return block


def _one_hot(encoder: Any) -> Callable[[np.ndarray], np.ndarray]:
    if (
        encoder.drop is not None
        or encoder.handle_unknown not in ("ignore", "infrequent_if_exist")
        or getattr(encoder, "_infrequent_enabled", False)
    ):
        raise NotCompilable("one-hot encoder with drop or infrequent categories")
    lookups = [pd.Index(c) for c in encoder.categories_]
    widths = [len(c) for c in encoder.categories_]
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(int)
    total = int(sum(widths))

    def encode(X: np.ndarray) -> np.ndarray:
        out = np.zeros((X.shape[0], total), dtype=np.float64)
        rows = np.arange(X.shape[0])
        for j, lookup in enumerate(lookups):
            positions = lookup.get_indexer(X[:, j])
            known = positions >= 0
            out[rows[known], offsets[j] + positions[known]] = 1.0
        return out

    return encode


def _target(encoder: Any) -> Callable[[np.ndarray], np.ndarray]:
    lookups = [pd.Index(c) for c in encoder.categories_]
    encodings = [np.asarray(e, dtype=np.float64) for e in encoder.encodings_]
    means = np.atleast_1d(np.asarray(encoder.target_mean_, dtype=np.float64))
    n_classes = len(encoder.classes_) if encoder.target_type_ == "multiclass" else 1

    def encode(X: np.ndarray) -> np.ndarray:
        out = np.empty((X.shape[0], len(encodings)), dtype=np.float64)
        for e, encoding in enumerate(encodings):
            positions = lookups[e // n_classes].get_indexer(X[:, e // n_classes])
            out[:, e] = np.where(positions >= 0, encoding[positions], means[e % n_classes])
        return out

    return encode


def _categorical_block(names: list[str], steps: list[Any]) -> Block:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, TargetEncoder

    if len(steps) < 3 or not _is_function(steps[0], "as_text"):
        raise NotCompilable("categorical block without the text cast")
    imputer = steps[1]
    if (
        not isinstance(imputer, SimpleImputer)
        or imputer.strategy != "constant"
        or imputer.fill_value != _MISSING
        or imputer.add_indicator
    ):
        raise NotCompilable("categorical imputer")
    if type(steps[2]) is OneHotEncoder:
        encode = _one_hot(steps[2])
    elif type(steps[2]) is TargetEncoder:
        encode = _target(steps[2])
    else:
        raise NotCompilable(f"encoder {type(steps[2]).__name__}")
    rest = _float_steps(steps[3:])

    def block(columns: dict[str, Any], n: int) -> np.ndarray:
        X = np.empty((n, len(names)), dtype=object)
        for j, name in enumerate(names):
            X[:, j] = [_text_value(v) for v in columns[name]]
        return _apply(rest, encode(X))

    return block


def _datetime_block(names: list[str], steps: list[Any]) -> Block:
    from modelyard.ml.automl.preprocessing import DatetimeFeatures, _calendar

    if not steps or type(steps[0]) is not DatetimeFeatures:
        raise NotCompilable("datetime block")
    rest = _float_steps(steps[1:])

    def block(columns: dict[str, Any], n: int) -> np.ndarray:
        parts = []
        for name in names:
            values = columns[name]
            series = values if isinstance(values, pd.Series) else pd.Series(list(values))
            parts.append(_calendar(series))
        return _apply(rest, np.hstack(parts))

    return block


def _text_block(names: list[str], steps: list[Any]) -> Block:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(names) != 1 or len(steps) != 2 or not _is_function(steps[0], "as_documents"):
        raise NotCompilable("text block")
    if type(steps[1]) is not TfidfVectorizer:
        raise NotCompilable("text vectorizer")
    vectorizer = steps[1]

    def block(columns: dict[str, Any], n: int) -> np.ndarray:
        documents = ["" if _is_missing(v) else str(v) for v in columns[names[0]]]
        return np.asarray(vectorizer.transform(documents).toarray(), dtype=np.float64)

    return block


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _block(names: list[str], transformer: Any) -> Block:
    from sklearn.impute import SimpleImputer

    from modelyard.ml.automl.preprocessing import DatetimeFeatures

    steps = _steps_of(transformer)
    if not steps:
        raise NotCompilable("empty transformer")
    first = steps[0]
    if (
        _is_function(first, "_as_float")
        or isinstance(first, SimpleImputer)
        or _is_group_imputer(first)
    ):
        return _numeric_block(names, steps)
    if _is_function(first, "as_text"):
        return _categorical_block(names, steps)
    if type(first) is DatetimeFeatures:
        return _datetime_block(names, steps)
    if _is_function(first, "as_documents"):
        return _text_block(names, steps)
    raise NotCompilable(f"transformer {type(first).__name__}")


def _owners(names: list[str], transformer: Any) -> list[str]:
    """The input column behind each output column of one ColumnTransformer part."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, TargetEncoder

    from modelyard.ml.automl.preprocessing import _PARTS, DatetimeFeatures

    steps = _steps_of(transformer)
    owners = list(names)
    for step in steps:
        if _is_group_imputer(step):  # the group columns only inform the fill
            step, owners = step.imputer_, owners[: step.n_numbers]
        if isinstance(step, SimpleImputer) and step.add_indicator:
            owners = owners + [owners[i] for i in step.indicator_.features_]
        elif type(step) is OneHotEncoder:
            owners = [o for o, c in zip(owners, step.categories_, strict=True) for _ in c]
        elif type(step) is TargetEncoder:
            per = len(step.classes_) if step.target_type_ == "multiclass" else 1
            owners = [owners[e // per] for e in range(len(step.encodings_))]
        elif type(step) is DatetimeFeatures:
            owners = [o for o in owners for _ in _PARTS]
        elif type(step) is TfidfVectorizer:
            owners = [owners[0]] * len(step.vocabulary_)
    return owners


def input_owners(model: Any) -> list[str]:
    """For each column of the model's transformed matrix, the input column it comes from."""
    ct = _pipeline_of(model).steps[0][1]
    owners: list[str] = []
    for name, transformer, cols in ct.transformers_:
        if name == "remainder" or transformer == "drop" or len(cols) == 0:
            continue
        owners += _owners(list(cols), transformer)
    return owners


@dataclass
class _Preprocessor:
    blocks: list[Block]

    def __call__(self, columns: dict[str, Any], n: int) -> np.ndarray:
        parts = [block(columns, n) for block in self.blocks]
        return np.hstack(parts) if len(parts) > 1 else parts[0]


def _preprocessor(ct: Any) -> _Preprocessor:
    from sklearn.compose import ColumnTransformer

    if type(ct) is not ColumnTransformer or getattr(ct, "sparse_output_", False):
        raise NotCompilable("preprocessing is not a dense ColumnTransformer")
    blocks: list[Block] = []
    for name, transformer, cols in ct.transformers_:
        if name == "remainder":
            if transformer != "drop":
                raise NotCompilable("ColumnTransformer remainder is not dropped")
            continue
        if transformer == "drop" or len(cols) == 0:
            continue
        if isinstance(cols, str) or not all(isinstance(c, str) for c in cols):
            raise NotCompilable("columns not selected by name")
        blocks.append(_block(list(cols), transformer))
    if not blocks:
        raise NotCompilable("no features")
    return _Preprocessor(blocks)


# --- estimators --------------------------------------------------------------------------

Proba = Callable[[np.ndarray], np.ndarray]


def _booster_proba(model: Any) -> tuple[Proba, Proba]:
    booster = model.booster_
    n_classes = getattr(model, "n_classes_", None)
    objective = getattr(model, "objective_", "")
    if callable(objective):
        raise NotCompilable("LightGBM with a custom objective")

    def raw(X: np.ndarray) -> np.ndarray:
        threads = 1 if X.shape[0] < _SMALL_BATCH else 0
        return np.asarray(booster.predict(X, num_threads=threads), dtype=np.float64)

    def proba(X: np.ndarray) -> np.ndarray:
        result = raw(X)
        if n_classes == 2 and result.ndim == 1:
            return np.vstack((1.0 - result, result)).transpose()
        return result

    return proba, raw


def _estimator(model: Any) -> tuple[Proba | None, Proba]:
    """(predict_proba, predict) of an estimator on a transformed matrix."""
    kind = type(model)
    is_lightgbm = kind.__module__.startswith("lightgbm")
    if is_lightgbm and kind.__name__ in ("LGBMClassifier", "LGBMRegressor"):
        proba, raw = _booster_proba(model)
        if kind.__name__ == "LGBMRegressor":
            return None, raw
        classes = np.asarray(model.classes_)
        return proba, lambda X: classes[np.argmax(proba(X), axis=1)]
    if not callable(getattr(model, "predict_proba", None)):
        return None, _by_batch_size(model, "predict")
    return _by_batch_size(model, "predict_proba"), _by_batch_size(model, "predict")


def _by_batch_size(model: Any, method: str) -> Proba:
    """``model.<method>``; below :data:`_SMALL_BATCH` rows, scikit-learn forests sum their
    trees' outputs directly and k-NN runs on one thread: joblib's dispatch costs more than
    a few rows take (a 200-tree forest: one row in 1.4 ms instead of 13 ms on one thread,
    39 ms on two)."""
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    full: Proba = getattr(model, method)
    small: Proba | None = None
    if _is_forest(model):
        small = _tree_sum(model, method)
    elif isinstance(model, KNeighborsClassifier | KNeighborsRegressor) and model.n_jobs != 1:
        single = copy.copy(model)  # shares the fitted neighbours
        single.n_jobs = 1
        small = getattr(single, method)
    if small is None:
        return full
    few = small
    return lambda X: few(X) if X.shape[0] < _SMALL_BATCH else full(X)


def _is_forest(model: Any) -> bool:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )

    forests = (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    return isinstance(model, forests)


def _tree_sum(forest: Any, method: str) -> Proba | None:
    """A single-output forest's ``predict_proba`` / ``predict`` as scikit-learn computes
    them (each tree's class shares normalised, then averaged; or the trees' mean), read
    straight from the fitted trees."""
    if getattr(forest, "n_outputs_", 1) != 1:
        return None
    trees = [estimator.tree_ for estimator in forest.estimators_]
    classes = getattr(forest, "classes_", None)

    def proba(X: np.ndarray) -> np.ndarray:
        rows = np.asarray(X, dtype=np.float32)
        assert classes is not None
        total = np.zeros((rows.shape[0], len(classes)))
        for tree in trees:
            shares = tree.predict(rows)[:, : len(classes)]
            normaliser = shares.sum(axis=1, keepdims=True)
            normaliser[normaliser == 0.0] = 1.0
            total += shares / normaliser
        return total / len(trees)

    def mean(X: np.ndarray) -> np.ndarray:
        rows = np.asarray(X, dtype=np.float32)
        total = np.zeros(rows.shape[0])
        for tree in trees:
            total += tree.predict(rows)[:, 0]
        return total / len(trees)

    if classes is None:
        return mean if method == "predict" else None
    if method == "predict_proba":
        return proba
    return lambda X: np.asarray(classes.take(np.argmax(proba(X), axis=1), axis=0))


Columns = Callable[[dict[str, Any], int], np.ndarray]  # (input columns, rows) -> output


class _Model:
    """predict / predict_proba on an input column mapping (compiled end to end)."""

    def __init__(self, model: Any) -> None:
        from modelyard.ml.automl.bagging import as_voting

        try:
            model = as_voting(model)  # a fold-bagged model is a soft vote of its fold models
        except ValueError as exc:
            raise NotCompilable(str(exc)) from exc
        self.classes: np.ndarray | None = None
        self._proba: Columns | None = None
        self._predict: Columns = self._argmax
        self.argmax_predicts = True  # predict == the class of the highest probability
        builders = self._builders()
        kind = next((k for k in builders if isinstance(model, k)), None)
        if kind is None:
            raise NotCompilable(f"model {type(model).__name__}")
        builders[kind](model)

    def _builders(self) -> dict[type, Callable[[Any], None]]:
        from sklearn.ensemble import VotingClassifier, VotingRegressor
        from sklearn.pipeline import Pipeline

        from modelyard.ml.automl.estimators import LabelEncodedClassifier, StackedModel
        from modelyard.ml.automl.thresholds import ThresholdClassifier

        return {
            LabelEncodedClassifier: self._label_encoded,
            ThresholdClassifier: self._thresholded,
            Pipeline: self._pipeline,
            VotingClassifier: self._soft_vote,
            VotingRegressor: self._average,
            StackedModel: self._stacked,
        }

    def _label_encoded(self, model: Any) -> None:
        from modelyard.ml.automl.estimators import aligned, temperature_scaled

        inner = _Model(model.estimator_)
        n_classes = len(model.classes_)
        self.classes = np.asarray(model.classes_)
        if inner.classes is None or inner._proba is None:
            raise NotCompilable("label-encoded model without probabilities")
        known = np.asarray(inner.classes)
        temperature = float(getattr(model, "temperature", 1.0))

        def proba(columns: dict[str, Any], n: int) -> np.ndarray:
            p = aligned(np.asarray(inner.proba(columns, n), dtype=float), known, n_classes)
            return temperature_scaled(p, temperature)

        self._proba = proba

    def _thresholded(self, model: Any) -> None:
        """The wrapped model's probabilities; the second class from ``threshold`` up."""
        inner = _Model(model.estimator_)
        if inner._proba is None:
            raise NotCompilable("thresholded model without probabilities")
        self.classes = np.asarray(model.classes_)
        self._proba = inner._proba
        if len(self.classes) == 2:
            classes, threshold = self.classes, float(model.threshold)
            self._predict = lambda c, n: classes[(inner.proba(c, n)[:, 1] >= threshold).astype(int)]
            self.argmax_predicts = False

    def _pipeline(self, model: Any) -> None:
        if len(model.steps) != 2:
            raise NotCompilable("pipeline is not preprocess + model")
        prep = _preprocessor(model.steps[0][1])
        estimator = model.steps[1][1]
        proba_fn, predict_fn = _estimator(estimator)
        if hasattr(estimator, "classes_"):
            self.classes = np.asarray(estimator.classes_)
        self._proba = None if proba_fn is None else (lambda c, n: proba_fn(prep(c, n)))
        self._predict = lambda c, n: np.asarray(predict_fn(prep(c, n)))
        self.argmax_predicts = False

    def _soft_vote(self, model: Any) -> None:
        if model.voting != "soft":
            raise NotCompilable("hard voting")
        members = [_Model(m) for m in model.estimators_]
        weights = model._weights_not_none
        self.classes = np.asarray(model.classes_)
        if any(m._proba is None for m in members):
            raise NotCompilable("voting member without probabilities")

        def soft(columns: dict[str, Any], n: int) -> np.ndarray:
            probas = np.asarray([m.proba(columns, n) for m in members])
            return np.average(probas, axis=0, weights=weights)

        self._proba = soft

    def _average(self, model: Any) -> None:
        members = [_Model(m) for m in model.estimators_]
        weights = model._weights_not_none

        def average(columns: dict[str, Any], n: int) -> np.ndarray:
            values = np.asarray([m.predict(columns, n) for m in members]).T
            return np.asarray(np.average(values, axis=1, weights=weights))

        self._predict = average
        self.argmax_predicts = False

    def _stacked(self, model: Any) -> None:
        """The members' predictions, as ``StackedModel`` builds them, into its meta-learner."""
        from modelyard.ml.automl.ensemble import stack_features
        from modelyard.ml.automl.estimators import aligned, aligned_proba

        members, meta, n_classes = [_Model(m) for m in model.members_], model.meta, model.n_classes
        if model.task != "classification":

            def meta_predict(columns: dict[str, Any], n: int) -> np.ndarray:
                values = [np.asarray(m.predict(columns, n), dtype=float) for m in members]
                features = stack_features(values, "regression")
                return np.asarray(meta.predict(features), dtype=float)

            self._predict = meta_predict
            self.argmax_predicts = False
            return
        if any(m._proba is None or m.classes is None for m in members):
            raise NotCompilable("stacked member without probabilities")

        def proba(columns: dict[str, Any], n: int) -> np.ndarray:
            probas = [
                aligned(np.asarray(m.proba(columns, n), dtype=float), m.classes, n_classes)
                for m in members
                if m.classes is not None
            ]
            return aligned_proba(meta, stack_features(probas, "classification"), n_classes)

        self.classes = np.asarray(model.classes_)
        self._proba = proba

    def _argmax(self, columns: dict[str, Any], n: int) -> np.ndarray:
        assert self.classes is not None
        return np.asarray(self.classes[np.argmax(self.proba(columns, n), axis=1)])

    def proba(self, columns: dict[str, Any], n: int) -> np.ndarray:
        assert self._proba is not None
        return self._proba(columns, n)

    def predict(self, columns: dict[str, Any], n: int) -> np.ndarray:
        return self._predict(columns, n)


# --- the served model --------------------------------------------------------------------


@dataclass
class ServedModel:
    """A model ready to serve: compiled when possible, else the plain pipeline."""

    pipeline: Any
    columns: list[tuple[str, str]]
    task: str
    is_compiled: bool
    reason: str = ""
    _compiled: _Model | None = field(default=None, repr=False)

    @property
    def feature_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def predict_records(self, records: list[dict[str, Any]]) -> Scores:
        """Scores for JSON records (already checked against the schema)."""
        if self._compiled is None:
            frame = pd.DataFrame.from_records(records, columns=self.feature_names)
            return score(self.pipeline, feature_frame(frame, self.columns), task=self.task)
        columns: dict[str, Any] = {}
        for name, kind in self.columns:
            values = [record.get(name) for record in records]
            columns[name] = _as_float_values(values) if kind in NUMERIC_KINDS else values
        return self._scores(columns, len(records))

    def predict_frame(self, frame: pd.DataFrame) -> Scores:
        """Scores for a DataFrame holding (at least) the feature columns."""
        if self._compiled is None:
            return score(self.pipeline, feature_frame(frame, self.columns), task=self.task)
        columns: dict[str, Any] = {}
        for name, kind in self.columns:
            series = frame[name]
            if kind in NUMERIC_KINDS:
                columns[name] = pd.to_numeric(series, errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            else:
                columns[name] = series.reset_index(drop=True)
        return self._scores(columns, len(frame))

    def predict_arrow(self, batch: Any) -> Scores:
        """Scores for a pyarrow RecordBatch/Table: numbers go column-wise to NumPy."""
        if self._compiled is None:
            return self.predict_frame(batch.to_pandas())
        import pyarrow as pa
        import pyarrow.compute as pc

        columns: dict[str, Any] = {}
        for name, kind in self.columns:
            column = batch.column(name)
            if kind in NUMERIC_KINDS and (
                pa.types.is_integer(column.type)
                or pa.types.is_floating(column.type)
                or pa.types.is_boolean(column.type)
            ):
                values = pc.cast(column, pa.float64())
                columns[name] = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
            elif kind in NUMERIC_KINDS:
                series = column.to_pandas()
                columns[name] = pd.to_numeric(series, errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            else:
                columns[name] = column.to_pandas()
        return self._scores(columns, batch.num_rows)

    def transformed(self, records: list[dict[str, Any]]) -> np.ndarray:
        """The model's input matrix (the preprocessing output) for records; for explanations."""
        columns: dict[str, Any] = {}
        for name, kind in self.columns:
            values = [record.get(name) for record in records]
            columns[name] = _as_float_values(values) if kind in NUMERIC_KINDS else values
        prep = _preprocessor(_pipeline_of(self.pipeline).steps[0][1])
        return prep(columns, len(records))

    def _scores(self, columns: dict[str, Any], n: int) -> Scores:
        compiled = self._compiled
        assert compiled is not None
        if self.task != "classification" or compiled._proba is None or compiled.classes is None:
            return Scores(predictions=compiled.predict(columns, n), labels=None, probabilities=None)
        probabilities = compiled.proba(columns, n)
        predictions = np.asarray(compiled.classes[np.argmax(probabilities, axis=1)])
        if not compiled.argmax_predicts:
            predictions = compiled.predict(columns, n)
        labels = [str(c) for c in compiled.classes]
        return Scores(predictions=predictions, labels=labels, probabilities=probabilities)


def _pipeline_of(model: Any) -> Any:
    """The preprocess + model pipeline of a single (not ensembled) saved model."""
    from sklearn.pipeline import Pipeline

    from modelyard.ml.automl.estimators import LabelEncodedClassifier

    inner = model.estimator_ if isinstance(model, LabelEncodedClassifier) else model
    if not isinstance(inner, Pipeline) or len(inner.steps) != 2:
        raise NotCompilable(f"{type(inner).__name__} is not one preprocess + model pipeline")
    return inner


def is_number_column(series: pd.Series) -> bool:
    """Numbers, not booleans (which the pipelines encode as categories)."""
    return bool(pd.api.types.is_numeric_dtype(series)) and not pd.api.types.is_bool_dtype(series)


def frame_columns(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(name, kind) of a frame's columns as the compiled path reads them: numbers as
    numeric, everything else as it comes."""
    kinds = {True: "numeric", False: "categorical"}
    return [(str(c), kinds[is_number_column(frame[c])]) for c in frame.columns]


def compile_model(pipeline: Any, columns: Sequence[tuple[str, str]], *, task: str) -> ServedModel:
    """``pipeline`` compiled for serving; the plain pipeline when a step cannot be compiled.

    ``columns`` are the model's (name, kind) feature columns in training order.
    """
    cols = [(str(name), str(kind)) for name, kind in columns]
    if task not in ("classification", "regression"):
        reason = f"{task} models are served by their plain pipeline"
        return ServedModel(pipeline, cols, task, is_compiled=False, reason=reason)
    try:
        compiled = _Model(pipeline)
    except NotCompilable as exc:
        return ServedModel(pipeline, cols, task, is_compiled=False, reason=str(exc))
    except (AttributeError, TypeError, ValueError) as exc:
        return ServedModel(pipeline, cols, task, is_compiled=False, reason=f"unexpected: {exc}")
    return ServedModel(pipeline, cols, task, is_compiled=True, _compiled=compiled)
