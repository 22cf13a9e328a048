"""One trial: fit a family with some hyperparameters on every fold, score it, measure it.

Preprocessing is fitted once per fold and kind (scaled or not) and cached, so trials pay
for their model only. A trial reports the running score after each fold through
``on_fold``, which may stop it (pruning, time budget) by raising.
"""

from __future__ import annotations

import logging
import math
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from modelyard.ml.automl.columns import ColumnKinds
from modelyard.ml.automl.deadline import Bounded, fit_within, share_of
from modelyard.ml.automl.families import Family, FamilyContext, Params
from modelyard.ml.automl.metrics import Metric
from modelyard.ml.automl.options import PrepOptions
from modelyard.ml.automl.validation import Fold

TrialStatus = Literal["ok", "pruned", "failed", "over_limit"]
logger = logging.getLogger(__name__)
OnFold = Callable[[int, float], None]
_LATENCY_REPEATS = 5


@dataclass(frozen=True)
class TrialRecord:
    """One row of the leaderboard."""

    number: int
    family: str
    params: dict[str, Any]
    status: TrialStatus
    val_score: float | None
    fit_time_s: float
    predict_latency_ms: float | None = None
    size_bytes: int | None = None
    reason: str = ""
    elapsed_s: float = 0.0  # since the search started, when the trial finished
    worker: str = ""  # the Dask worker that ran it, when trials ran in parallel

    @property
    def is_usable(self) -> bool:
        return self.status == "ok" and self.val_score is not None


class TrialStopped(Exception):
    """A trial ended early: pruned, or out of time. Not an error of the model."""

    def __init__(self, reason: str, *, status: TrialStatus = "pruned") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class TrialFailed(Exception):
    """The model raised while fitting or predicting."""


@dataclass(frozen=True)
class SearchData:
    """The search rows, their folds and everything a trial needs to build models."""

    X: pd.DataFrame
    y: np.ndarray  # class codes 0..k-1, or floats for regression
    folds: list[Fold]
    kinds: ColumnKinds
    ctx: FamilyContext
    metric: Metric
    prep: PrepOptions = PrepOptions()

    @property
    def validation_rows(self) -> np.ndarray:
        return np.unique(np.concatenate([va for _, va in self.folds]))

    def prediction_shape(self) -> tuple[int, ...]:
        n_rows = len(self.X)
        return (n_rows, self.ctx.n_classes) if self.ctx.task == "classification" else (n_rows,)


class FoldCache:
    """Preprocessed fold matrices, kept while they fit in ``max_bytes``."""

    def __init__(self, data: SearchData, *, max_bytes: int = 1 << 30) -> None:
        self._data = data
        self._max_bytes = max_bytes
        self._used = 0
        self._store: dict[tuple[bool, int], tuple[Any, np.ndarray, np.ndarray]] = {}

    def get(self, is_scaled: bool, fold: int) -> tuple[Any, np.ndarray, np.ndarray]:
        key = (is_scaled, fold)
        if key in self._store:
            return self._store[key]
        from modelyard.ml.automl.preprocessing import build_preprocessor

        data = self._data
        train, val = data.folds[fold]
        prep = build_preprocessor(
            data.kinds, scaled=is_scaled, task=data.ctx.task, seed=data.ctx.seed, options=data.prep
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_train = prep.fit_transform(data.X.iloc[train], data.y[train])
            X_val = prep.transform(data.X.iloc[val])
        entry = (prep, X_train, X_val)
        size = X_train.nbytes + X_val.nbytes
        if self._used + size <= self._max_bytes:
            self._store[key] = entry
            self._used += size
        return entry


@dataclass(frozen=True)
class Evaluation:
    prediction: np.ndarray  # on ``SearchData.validation_rows``
    val_score: float
    fit_time_s: float
    pipeline: Any  # preprocessing + model of the last fold, for latency and size
    stopped: str = ""  # "stopped at the deadline (...)" when a fold's fit was cut short
    sizes: dict[str, int] | None = None  # the sizes reached then (smallest over folds)


def predict(model: Any, X: Any, ctx: FamilyContext) -> np.ndarray:
    if ctx.task == "regression":
        return np.asarray(model.predict(X), dtype=float).ravel()
    from modelyard.ml.automl.estimators import aligned_proba

    return aligned_proba(model, X, ctx.n_classes)


def safe_score(metric: Metric, y: np.ndarray, prediction: np.ndarray) -> float:
    try:
        return metric.score(y, prediction)
    except ValueError:
        return math.nan


def evaluate(
    data: SearchData,
    cache: FoldCache,
    family: Family,
    *,
    params: Params,
    on_fold: OnFold,
    rungs: tuple[tuple[float, int], ...] = (),
    on_rung: OnFold | None = None,
    deadline: float | None = None,
) -> Evaluation:
    """Fit on every fold; the score is taken on all out-of-fold predictions together.

    With ``rungs`` ((share of rows, step), ...), each fold is first fitted on that share of
    its training rows and the validation score reported through ``on_rung(step, score)``,
    which may stop the trial (successive halving, see :mod:`pruning`).

    With ``deadline`` (a ``time.perf_counter()`` value) the time left is shared among the
    folds still to fit, and each fit stops at its share keeping the rounds so far
    (:mod:`deadline`): the trial ends by the deadline with a usable model and score.
    """
    from sklearn.pipeline import Pipeline

    pooled = np.full(data.prediction_shape(), np.nan)
    fit_time, fold_scores = 0.0, []
    prep, model = None, None
    stops: list[Bounded] = []
    for i, (_, val) in enumerate(data.folds):
        started = time.perf_counter()
        prep, X_train, X_val = _preprocessed(cache, family, i)
        fold_deadline = share_of(deadline, len(data.folds) - i)
        for share, step in rungs if on_rung is not None else ():
            n_rows = int(share * X_train.shape[0])
            _, rung_prediction, _ = _fit_fold(
                data,
                family,
                params,
                X_train=X_train[:n_rows],
                X_val=X_val,
                fold=i,
                n_rows=n_rows,
                deadline=fold_deadline,
            )
            assert on_rung is not None
            on_rung(step, safe_score(data.metric, data.y[val], rung_prediction))
        model, fold_prediction, bounded = _fit_fold(
            data, family, params, X_train=X_train, X_val=X_val, fold=i, deadline=fold_deadline
        )
        stops += [bounded] if bounded.stopped else []
        fit_time += time.perf_counter() - started
        pooled[val] = fold_prediction
        fold_scores.append(safe_score(data.metric, data.y[val], fold_prediction))
        on_fold(i, float(np.nanmean(fold_scores)) if not np.all(np.isnan(fold_scores)) else 0.0)
    rows = data.validation_rows
    prediction = pooled[rows]
    score = safe_score(data.metric, data.y[rows], prediction)
    if math.isnan(score):
        raise TrialFailed(f"the validation {data.metric.name} could not be computed")
    pipeline = Pipeline([("preprocess", prep), ("model", model)])
    if not stops:
        return Evaluation(prediction, score, fit_time, pipeline)
    sizes = {k: min(b.sizes[k] for b in stops if k in b.sizes) for b in stops for k in b.sizes}
    return Evaluation(prediction, score, fit_time, pipeline, stops[0].describe(), sizes)


def _preprocessed(cache: FoldCache, family: Family, fold: int) -> tuple[Any, Any, Any]:
    try:
        return cache.get(family.is_scaled, fold)
    except Exception as exc:  # a preprocessing error fails the trials that need it
        raise TrialFailed(f"preprocessing: {type(exc).__name__}: {exc}"[:300]) from exc


def _fit_fold(
    data: SearchData,
    family: Family,
    params: Params,
    *,
    X_train: Any,
    X_val: Any,
    fold: int,
    n_rows: int | None = None,
    deadline: float | None = None,
) -> tuple[Any, np.ndarray, Bounded]:
    from modelyard.ml.automl.model_steps import build_model

    train = data.folds[fold][0][:n_rows]  # the first ``n_rows`` (a random share) for a rung
    try:
        model = build_model(family, params, data.ctx, data.prep)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounded = fit_within(model, X_train, data.y[train], deadline)
            prediction = predict(model, X_val, data.ctx)
    except Exception as exc:  # any learner error makes this trial fail, not the search
        raise TrialFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if not np.all(np.isfinite(prediction)):
        raise TrialFailed("the model predicted non-finite values")
    return model, prediction, bounded


def measure(pipeline: Any, row: pd.DataFrame, *, task: str) -> tuple[float, int]:
    """Single-row predict latency as a deployment serves the model (median of a few
    calls, in ms) and pickled size in bytes. Deployments score through the compiled path
    (:mod:`modelyard.ml.compiled`) when the model compiles: a LightGBM pipeline answers one
    row in 0.15-0.6 ms there, ~5 ms through scikit-learn and pandas."""
    import cloudpickle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predict = _served_predict(pipeline, row, task)
        timings = []
        for _ in range(_LATENCY_REPEATS):
            started = time.perf_counter()
            predict()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(cloudpickle.dumps(pipeline))


def _served_predict(pipeline: Any, row: pd.DataFrame, task: str) -> Callable[[], Any]:
    """One warm prediction of ``row`` as served: compiled when it compiles and runs."""
    from modelyard.ml.compiled import compile_model, frame_columns

    served = compile_model(pipeline, frame_columns(row), task=task)
    if served.is_compiled:
        records = row.to_dict(orient="records")
        try:
            served.predict_records(records)
            return lambda: served.predict_records(records)
        except Exception:  # then it is served by its plain pipeline
            logger.debug("latency of %s measured on the plain pipeline", type(pipeline).__name__)
    pipeline.predict(row)
    return lambda: pipeline.predict(row)
