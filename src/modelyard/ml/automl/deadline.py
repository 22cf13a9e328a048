"""Fitting a model that stops at a deadline and keeps what it learned so far.

``fit_within(model, X, y, deadline)`` fits ``model`` like ``model.fit(X, y)`` but ends
by ``deadline`` (a ``time.perf_counter()`` value) with a usable model:

- LightGBM: a callback raises ``EarlyStopException`` at the deadline; the rounds so far
  are kept (``best_iteration`` is the last one).
- XGBoost: a ``TrainingCallback`` whose ``after_iteration`` returns True at the deadline.
- CatBoost: a callback object whose ``after_iteration`` returns False at the deadline.
- scikit-learn forests and HistGradientBoosting: a first small chunk (4 trees, 10
  iterations) timed, then grown with ``warm_start`` to what the time left allows (the
  target size when it fits), again until the target or the deadline.
- Linear models (``LogisticRegression``, ``ElasticNet``): a first 10 iterations timed,
  then continued with ``warm_start`` for as many iterations as the time left allows (all
  of ``max_iter`` when it fits), until they converge, reach ``max_iter`` or the deadline.
  A saga solver on a million rows far from convergence would otherwise run for minutes.
- PyTorch networks: their own per-epoch ``max_time_s``, cut to the time left.
- Others (k-NN, single trees, SVMs): a plain fit (they are the cheap ones).

Each stop is predicted from the time per round so far: the fit ends when the next round
would not finish before the deadline. ``Pipeline`` (its transformers are fitted first)
and the engine's label / threshold wrappers are looked through to the learner.

The result says whether the fit stopped early and with which size (``n_estimators``,
``max_iter`` or ``iterations``), so a refit with those parameters takes no longer.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

_FIRST_CHUNK = {"n_estimators": 4, "max_iter": 10}  # the first warm-start chunk


@dataclass
class Bounded:
    """What a deadline-bounded fit did: stopped early or not, and the size reached."""

    stopped: bool = False
    sizes: dict[str, int] = field(default_factory=dict)  # e.g. {"n_estimators": 37}

    def describe(self) -> str:
        size = ", ".join(f"{k}={v}" for k, v in self.sizes.items())
        return f"stopped at the deadline ({size})" if self.stopped else ""


class _Timer:
    """Counts rounds and says when the next one would overrun the deadline."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.started = time.perf_counter()
        self.rounds = 0
        self.stopped = False

    def should_stop(self) -> bool:
        self.rounds += 1
        now = time.perf_counter()
        per_round = (now - self.started) / self.rounds
        if now + per_round > self.deadline:
            self.stopped = True
        return self.stopped


def share_of(deadline: float | None, parts_left: int) -> float | None:
    """The deadline of the next of ``parts_left`` equal parts of the time left before
    ``deadline`` (None: no deadline)."""
    if deadline is None:
        return None
    now = time.perf_counter()
    return now + max(0.0, deadline - now) / max(parts_left, 1)


def fit_within(model: Any, X: Any, y: Any, deadline: float | None) -> Bounded:
    """Fit ``model`` in place, ending by ``deadline`` (None: a plain fit). Iterative
    learners stopped by ``max_iter`` (the search's choice, or the deadline's) do not warn
    that they did not converge: the validation score already says how good they are."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _fit_within(model, X, y, deadline)


def _fit_within(model: Any, X: Any, y: Any, deadline: float | None) -> Bounded:
    if deadline is None:
        model.fit(X, y)
        return Bounded()
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        Xt = X
        for _, step in model.steps[:-1]:
            if step is not None and step != "passthrough":
                Xt = step.fit_transform(Xt, y)
        return _fit_within(model.steps[-1][1], Xt, y, deadline)
    kind = type(model).__name__
    if kind in ("FoldBaggedClassifier", "FoldBaggedRegressor"):
        return model.fit_bounded(X, y, deadline)  # each fold model by its share
    if kind == "LabelEncodedClassifier":
        return _fit_label_encoded(model, X, y, deadline)
    if kind == "ThresholdClassifier":
        return _fit_wrapped(model, model._base(), X, y, deadline)
    return _fit_learner(model, X, y, deadline)


def _fit_label_encoded(model: Any, X: Any, y: Any, deadline: float) -> Bounded:
    from sklearn.preprocessing import LabelEncoder
    from sklearn.utils.validation import column_or_1d

    y = column_or_1d(y)
    model.label_encoder_ = LabelEncoder().fit(y)
    model.classes_ = model.label_encoder_.classes_
    from sklearn.linear_model import LogisticRegression

    base = LogisticRegression() if model.estimator is None else model.estimator
    return _fit_wrapped(model, base, X, model.label_encoder_.transform(y), deadline)


def _fit_wrapped(model: Any, base: Any, X: Any, y: Any, deadline: float) -> Bounded:
    """A wrapper that fits a clone of ``base`` as ``estimator_`` and mirrors its attributes."""
    from sklearn.base import clone

    if type(model).__name__ == "ThresholdClassifier" and not 0.0 < float(model.threshold) < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {model.threshold!r}.")
    model.estimator_ = clone(base)
    bounded = fit_within(model.estimator_, X, y, deadline)
    if not hasattr(model, "label_encoder_"):
        model.classes_ = model.estimator_.classes_
    for name in ("n_features_in_", "feature_names_in_"):
        if hasattr(model.estimator_, name):
            setattr(model, name, getattr(model.estimator_, name))
    return bounded


def _fit_learner(model: Any, X: Any, y: Any, deadline: float) -> Bounded:
    module = type(model).__module__
    if module.startswith("lightgbm"):
        return _fit_lightgbm(model, X, y, deadline)
    if module.startswith("xgboost"):
        return _fit_xgboost(model, X, y, deadline)
    if module.startswith("catboost"):
        return _fit_catboost(model, X, y, deadline)
    name = type(model).__name__
    if name.startswith(("RandomForest", "ExtraTrees")):
        return _fit_in_chunks(model, X, y, deadline, "n_estimators", _n_trees)
    if name.startswith("HistGradientBoosting"):
        return _fit_in_chunks(model, X, y, deadline, "max_iter", _n_iterations)
    if name in ("LogisticRegression", "ElasticNet"):
        return _fit_iterations(model, X, y, deadline)
    if hasattr(model, "max_time_s"):  # the PyTorch networks stop per epoch
        left = max(0.05, deadline - time.perf_counter())
        limit = model.max_time_s
        model.set_params(max_time_s=left if limit is None else min(limit, left))
    model.fit(X, y)
    return Bounded()


def _fit_lightgbm(model: Any, X: Any, y: Any, deadline: float) -> Bounded:
    from lightgbm.callback import EarlyStopException

    timer = _Timer(deadline)

    def at_deadline(env: Any) -> None:
        if timer.should_stop():
            raise EarlyStopException(env.iteration, env.evaluation_result_list or [])

    at_deadline.order = 100  # type: ignore[attr-defined]  # after LightGBM's own callbacks
    model.fit(X, y, callbacks=[at_deadline])
    rounds = int(model.booster_.current_iteration())
    return Bounded(timer.stopped, {"n_estimators": rounds} if timer.stopped else {})


def _fit_xgboost(model: Any, X: Any, y: Any, deadline: float) -> Bounded:
    from xgboost.callback import TrainingCallback

    timer = _Timer(deadline)

    class AtDeadline(TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
            return timer.should_stop()

    previous = model.get_params().get("callbacks")
    model.set_params(callbacks=[*(previous or []), AtDeadline()])
    try:
        model.fit(X, y)
    finally:
        model.set_params(callbacks=previous)  # nothing of ours stays in the saved model
    rounds = int(model.get_booster().num_boosted_rounds())
    return Bounded(timer.stopped, {"n_estimators": rounds} if timer.stopped else {})


def _fit_catboost(model: Any, X: Any, y: Any, deadline: float) -> Bounded:
    timer = _Timer(deadline)

    class AtDeadline:
        def after_iteration(self, info: Any) -> bool:
            return not timer.should_stop()  # CatBoost goes on while this is True

    model.fit(X, y, callbacks=[AtDeadline()])
    rounds = int(model.tree_count_)
    return Bounded(timer.stopped, {"iterations": rounds} if timer.stopped else {})


def _n_trees(model: Any) -> int:
    return len(model.estimators_)


def _n_iterations(model: Any) -> int:
    return int(model.n_iter_)


def _fit_iterations(model: Any, X: Any, y: Any, deadline: float) -> Bounded:
    """Fit ``max_iter`` solver iterations at a time (``warm_start`` goes on from the last
    coefficients) until the solver converges, ``max_iter`` is reached or the deadline."""
    import numpy as np

    target = int(model.get_params()["max_iter"])
    chunk = min(target, _FIRST_CHUNK["max_iter"])
    started, done, stopped = time.perf_counter(), 0, False
    model.set_params(warm_start=True, max_iter=chunk)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "did not converge" after each chunk
            model.fit(X, y)
            done = chunk
            while done < target and int(np.max(model.n_iter_)) >= chunk:  # not converged yet
                now = time.perf_counter()
                per_iteration = (now - started) / done
                room = int(0.9 * (deadline - now) / per_iteration) if per_iteration > 0 else target
                if room < 1:
                    stopped = True
                    break
                chunk = min(target - done, room)
                model.set_params(max_iter=chunk)
                model.fit(X, y)
                done += chunk
    finally:
        model.set_params(warm_start=False)
    model.set_params(max_iter=done if stopped else target)
    return Bounded(stopped, {"max_iter": done} if stopped else {})


def _fit_in_chunks(
    model: Any, X: Any, y: Any, deadline: float, size_param: str, size_of: Any
) -> Bounded:
    """Grow ``size_param`` with ``warm_start`` until the target size or the deadline."""
    target = int(model.get_params()[size_param])
    size = max(1, min(target, _FIRST_CHUNK[size_param]))
    started, stopped = time.perf_counter(), False
    model.set_params(warm_start=True, **{size_param: size})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # class_weight presets warn under warm_start
            model.fit(X, y)
            while size < target and size_of(model) >= size:  # (HGB may stop by itself)
                now = time.perf_counter()
                per_unit = (now - started) / max(size_of(model), 1)
                room = int(0.9 * (deadline - now) / per_unit) if per_unit > 0 else target
                if room < 1:
                    stopped = True
                    break
                size += min(target - size, room)  # as much as the time left allows
                model.set_params(**{size_param: size})
                model.fit(X, y)
    finally:
        model.set_params(warm_start=False)
    reached = size_of(model)
    model.set_params(**{size_param: max(reached, 1) if stopped else target})
    return Bounded(stopped, {size_param: reached} if stopped else {})
