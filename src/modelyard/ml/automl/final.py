"""After the search: the final estimator (best single model or an ensemble), its refit on
all search rows and its one evaluation on the held-out test rows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.pipeline import Pipeline

from modelyard.ml.automl import bagging
from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.deadline import fit_within
from modelyard.ml.automl.ensemble import (
    CROSS_CHECK_PER_FAMILY,
    CrossCheck,
    EnsembleChoice,
    StackChoice,
    cross_check,
    select_ensemble,
    select_stack,
    weighted_average,
)
from modelyard.ml.automl.estimators import LabelEncodedClassifier, StackedModel, fitted_voting
from modelyard.ml.automl.families import FAMILIES
from modelyard.ml.automl.metrics import Metric, confusion, full_report, plain
from modelyard.ml.automl.preprocessing import build_preprocessor
from modelyard.ml.automl.search import Clock, SearchState, ensemble_candidates
from modelyard.ml.automl.trials import SearchData, TrialRecord, measure
from modelyard.ml.automl.validation import Splits

if TYPE_CHECKING:
    from modelyard.ml.automl.engine import _Problem


@dataclass(frozen=True)
class FinalModel:
    estimator: Any  # not fitted yet
    algorithm: str
    val_score: float
    weights: dict[int, int] | None = None
    threshold: float | None = None  # decision threshold for the positive class
    temperature: float = 1.0  # probability calibration (see calibration.py)
    val_predictions: np.ndarray | None = None  # out of fold, on the validation rows
    fitted: Any = None  # the estimator as fitted in the search, used instead of a refit
    bagged: tuple[str, ...] = ()  # families whose members are bagged over the folds


@dataclass(frozen=True)
class Tested:
    model: Any  # fitted on the search rows
    metrics: dict[str, float]
    confusion: list[list[int]] | None
    predictions: list[Any]
    probabilities: list[list[float]] | None
    predict_latency_ms: float
    size_bytes: int


def member_pipeline(record: TrialRecord, data: SearchData, *, bag_folds: int = 0) -> Any:
    """A fresh (unfitted) pipeline with the trial's family and hyperparameters, bagged over
    ``bag_folds`` folds when the family is an unstable one (:mod:`bagging`)."""
    family = FAMILIES[record.family]
    ctx = data.ctx
    from modelyard.ml.automl.model_steps import build_model

    prep = build_preprocessor(
        data.kinds, scaled=family.is_scaled, task=ctx.task, seed=ctx.seed, options=data.prep
    )
    model = build_model(family, record.params, ctx, data.prep)
    pipeline = Pipeline([("preprocess", prep), ("model", model)])
    if bag_folds >= 2 and bagging.is_unstable(record.family):
        return bagging.bagged(pipeline, task=ctx.task, n_folds=bag_folds, seed=ctx.seed)
    return pipeline


def build_final(
    data: SearchData,
    state: SearchState,
    config: AutoMLConfig,
    *,
    clock: Clock,
    notes: list[str],
    bag_folds: int = 0,
) -> FinalModel:
    """The ensemble when it beats the best single model on validation (on rows left out of
    each choice where :func:`cross_check` applies), else that model. Its unstable members
    are bagged over ``bag_folds`` folds (0: never) when time and the limits allow
    (:mod:`bagging`)."""
    plan = _Plan(data, config, clock, bag_folds)
    final = _chosen(state, plan=plan, notes=notes)
    if final.bagged:
        notes.append(
            f"{', '.join(final.bagged)} bagged over {bag_folds} folds: one model per fold, "
            "averaged (unstable learners on few rows)"
        )
    return final


@dataclass(frozen=True)
class _Plan:
    """The final model's members are bagged over ``folds`` (0: never) when the refit and
    the limits allow it (:mod:`bagging`)."""

    data: SearchData
    config: AutoMLConfig
    clock: Clock
    folds: int

    def bag_folds(self, members: list[TrialRecord]) -> int:
        """``folds`` when the unstable ``members`` can be bagged within the time left and
        the limits, else 0."""
        if self.folds < 2 or not any(bagging.is_unstable(m.family) for m in members):
            return 0
        if _limit_problem(members, self.config, bag_folds=self.folds) or _refit_overrun(
            members, self.data, self.config, clock=self.clock, bag_folds=self.folds
        ):
            return 0
        return self.folds

    def pipelines(self, members: list[TrialRecord]) -> tuple[list[Any], tuple[str, ...]]:
        """Fresh pipelines of ``members`` (bagged when :meth:`bag_folds` allows it), and
        the families bagged."""
        folds = self.bag_folds(members)
        bagged = sorted({m.family for m in members if folds and bagging.is_unstable(m.family)})
        return [member_pipeline(m, self.data, bag_folds=folds) for m in members], tuple(bagged)


def _chosen(state: SearchState, *, plan: _Plan, notes: list[str]) -> FinalModel:
    data, config, best = plan.data, plan.config, state.best
    assert best is not None and best.val_score is not None
    (pipeline,), bagged = plan.pipelines([best])
    single = FinalModel(
        pipeline,
        best.family,
        best.val_score,
        val_predictions=state.predictions.get(best.number),
        bagged=bagged,
    )
    if not config.ensemble:
        return single
    candidates = [
        (r.number, float(r.val_score), state.predictions[r.number])
        for r in ensemble_candidates(state, data.metric)
        if r.number in state.predictions and r.val_score is not None
    ]
    if len(candidates) < 2:
        notes.append("ensemble skipped: fewer than two usable models")
        return single
    y_val = data.y[data.validation_rows]
    choice = select_ensemble(candidates, y_val, data.metric, seed=data.ctx.seed)
    stack = select_stack(
        candidates,
        y_val,
        data.metric,
        task=data.ctx.task,
        n_classes=data.ctx.n_classes,
        seed=data.ctx.seed,
    )
    pool = ensemble_candidates(state, data.metric, CROSS_CHECK_PER_FAMILY)
    check = cross_check(
        [
            (r.number, r.family, state.predictions[r.number])
            for r in pool
            if r.number in state.predictions
        ],
        y_val,
        data.metric,
        task=data.ctx.task,
        seed=data.ctx.seed,
    )
    notes.append(_comparison(best.val_score, choice, stack, check, data.metric.name))
    single_score, ensemble_score = (
        (check.single, check.ensemble) if check else (best.val_score, choice.val_score)
    )
    if stack is not None and data.metric.is_better(stack.val_score, single_score):
        if choice.is_single or data.metric.is_better(stack.val_score, ensemble_score):
            stacked = _stacked(stack, state, plan=plan, notes=notes)
            if stacked is not None:
                return stacked
    return _ensemble_or_single(
        choice, candidates, state, plan=plan, single=single, check=check, notes=notes
    )


def _ensemble_wins(
    choice: EnsembleChoice, check: CrossCheck | None, single_score: float, metric: Metric
) -> bool:
    """Whether ``choice`` is used over the best single model: with a cross-check, unless
    the single model wins clearly on the rows left out of each choice; without one, when
    the ensemble scores better on the validation rows."""
    if choice.is_single:
        return False
    if check is None:
        return metric.is_better(choice.val_score, single_score)
    return check.ensemble_wins


def _gain(choice: EnsembleChoice, check: CrossCheck | None, single_score: float, name: str) -> str:
    if check is None:
        return f"val {name} {single_score:.4f} -> {choice.val_score:.4f}"
    return (
        f"{name} on rows left out of each choice {check.single:.4f} -> {check.ensemble:.4f}, "
        f"the single model winning in {check.single_sure:.0%} of resamples of them"
    )


def _ensemble_or_single(
    choice: EnsembleChoice,
    candidates: list[tuple[int, float, np.ndarray]],
    state: SearchState,
    *,
    plan: _Plan,
    single: FinalModel,
    check: CrossCheck | None,
    notes: list[str],
) -> FinalModel:
    """The selected ensemble when it beats the single model and can be used (refitted, or
    as fitted in the search when a refit would overrun); else the single model."""
    data, config, name = plan.data, plan.config, plan.data.metric.name
    if not _ensemble_wins(choice, check, single.val_score, data.metric):
        where = "on validation"
        if check:
            where = (
                "on validation rows left out of each choice: the single model wins in "
                f"{check.single_sure:.0%} of resamples of them"
            )
        notes.append(f"ensemble not used: it did not beat the best single model's {name} {where}")
        return single
    members = [r for r in state.records if r.number in choice.weights]
    problem = _limit_problem(members, config)
    if problem:
        notes.append(f"ensemble not used: {problem}")
        return single
    overrun = _refit_overrun(members, data, config, clock=plan.clock)
    if overrun:
        return _fitted_ensemble(
            candidates, state, data, config, single=single, overrun=overrun, notes=notes
        )
    notes.append(
        f"ensemble of {len(members)} models: {_gain(choice, check, single.val_score, name)} "
        f"(weights {choice.weights})"
    )
    return _selected(choice, state, data, plan=plan)


def _selected(
    choice: EnsembleChoice, state: SearchState, data: SearchData, *, plan: _Plan | None = None
) -> FinalModel:
    """The ensemble-selection model (to refit; its unstable members bagged where ``plan``
    allows it), with its averaged validation predictions."""
    members = {r.number: r for r in state.records if r.number in choice.weights}
    ordered = [members[n] for n in choice.weights]
    pipelines, bagged = plan.pipelines(ordered) if plan else _plain(ordered, data)
    averaged = weighted_average(state.predictions, choice.weights)
    return FinalModel(
        _voting(ordered, pipelines, choice.weights, data),
        "ensemble(" + "+".join(f"{members[n].family}x{w}" for n, w in choice.weights.items()) + ")",
        choice.val_score,
        choice.weights,
        val_predictions=averaged,
        bagged=bagged,
    )


def _plain(members: list[TrialRecord], data: SearchData) -> tuple[list[Any], tuple[str, ...]]:
    return [member_pipeline(m, data) for m in members], ()


def _fitted_ensemble(
    candidates: list[tuple[int, float, np.ndarray]],
    state: SearchState,
    data: SearchData,
    config: AutoMLConfig,
    *,
    single: FinalModel,
    overrun: str,
    notes: list[str],
) -> FinalModel:
    """When refitting the chosen ensemble would overrun the budget: an ensemble of the
    candidates as fitted in the search (their validation predictions came from exactly
    those models), if one still beats the best single model; else that model."""
    kept = [c for c in candidates if _is_whole(state.pipelines.get(c[0]), data)]
    y_val = data.y[data.validation_rows]
    ctx = data.ctx
    choice = select_ensemble(kept, y_val, data.metric, seed=ctx.seed) if kept else None
    families = {r.number: r.family for r in state.records}
    pool = [(number, families[number], p) for number, _, p in kept]
    check = cross_check(pool, y_val, data.metric, task=ctx.task, seed=ctx.seed)
    if choice is None or not _ensemble_wins(choice, check, single.val_score, data.metric):
        notes.append(f"ensemble not used: {overrun}")
        return single
    members = [r for r in state.records if r.number in choice.weights]
    problem = _limit_problem(members, config)
    if problem:
        notes.append(f"ensemble not used: {overrun}; as fitted in the search, {problem}")
        return single
    n_fit = len(data.folds[-1][0])
    notes.append(
        f"ensemble of {len(members)} models as fitted in the search on {n_fit} rows, since "
        f"{overrun}: {_gain(choice, check, single.val_score, data.metric.name)} "
        f"(weights {choice.weights})"
    )
    final = _selected(choice, state, data)
    fitted = _as_fitted(final.estimator, [state.pipelines[n] for n in choice.weights], data)
    return dataclasses.replace(final, fitted=fitted)


def _is_whole(pipeline: Any, data: SearchData) -> bool:
    """Whether a kept pipeline can join an ensemble: a classifier must know every class."""
    if pipeline is None:
        return False
    if data.ctx.task != "classification":
        return True
    classes = np.asarray(getattr(pipeline, "classes_", []))
    return classes.tolist() == list(range(data.ctx.n_classes))


def _as_fitted(template: Any, pipelines: list[Any], data: SearchData) -> Any:
    """The ``template`` voting ensemble with ``pipelines`` (fitted, in its estimators'
    order) as its members, as ``fit`` would have left it (on class codes for a classifier)."""
    is_classifier = data.ctx.task == "classification"
    return fitted_voting(
        pipelines,
        classes=np.arange(data.ctx.n_classes) if is_classifier else None,
        weights=template.weights,
        names=[name for name, _ in template.estimators],
    )


def _comparison(
    single: float,
    choice: EnsembleChoice,
    stack: StackChoice | None,
    check: CrossCheck | None,
    name: str,
) -> str:
    selection = "-" if choice.is_single else f"{choice.val_score:.4f}"
    stacking = "-" if stack is None else f"{stack.val_score:.4f}"
    said = (
        f"val {name}: best single model {single:.4f}, ensemble selection {selection}, "
        f"stacking {stacking} (cross-validated)"
    )
    if check is None:
        return said
    return (
        f"{said}; on validation rows left out of each choice ({check.n_folds} folds): "
        f"best single model {check.single:.4f}, ensemble selection {check.ensemble:.4f}"
    )


def _stacked(
    stack: StackChoice, state: SearchState, *, plan: _Plan, notes: list[str]
) -> FinalModel | None:
    """The stacked model (its unstable members bagged where ``plan`` allows it), or None
    (with a note) when its members break a limit or cannot be refitted in time."""
    data = plan.data
    members = {r.number: r for r in state.records if r.number in stack.members}
    ordered = [members[n] for n in stack.members]
    problem = _limit_problem(ordered, plan.config) or _refit_overrun(
        ordered, data, plan.config, clock=plan.clock
    )
    if problem:
        notes.append(f"stacking not used: {problem}")
        return None
    kind = "logistic" if data.ctx.task == "classification" else "ridge"
    notes.append(
        f"stacking chosen: a {kind} meta-learner on {len(ordered)} models' out-of-fold "
        f"predictions, val {data.metric.name} {stack.val_score:.4f}"
    )
    from sklearn.frozen import FrozenEstimator

    pipelines, bagged = plan.pipelines(ordered)
    estimator = StackedModel(
        pipelines,
        FrozenEstimator(stack.meta),  # survives clone(): fitted on the out-of-fold predictions
        task=data.ctx.task,
        n_classes=data.ctx.n_classes,
    )
    algorithm = "stack(" + "+".join(r.family for r in ordered) + ")"
    return FinalModel(
        estimator,
        algorithm,
        stack.val_score,
        dict.fromkeys(stack.members, 1),
        val_predictions=stack.predictions,
        bagged=bagged,
    )


def calibrate(final: FinalModel, y_val: np.ndarray, *, notes: list[str]) -> FinalModel:
    """The final classifier with a temperature fitted on its validation probabilities, when
    that lowers their log loss enough (:mod:`calibration`)."""
    from modelyard.ml.automl.calibration import fit_temperature

    if final.val_predictions is None or final.threshold is not None:
        return final
    fitted = fit_temperature(final.val_predictions, y_val)
    if not fitted.is_worth_it:
        if fitted.temperature != 1.0:
            notes.append(
                f"probabilities not calibrated: temperature {fitted.temperature:.2f} would take "
                f"validation log loss {fitted.before:.4f} -> {fitted.after:.4f}, too little "
                "evidence to change the model"
            )
        return final
    notes.append(
        f"probabilities calibrated (temperature {fitted.temperature:.2f}): validation log loss "
        f"{fitted.before:.4f} -> {fitted.after:.4f}"
    )
    return dataclasses.replace(final, temperature=fitted.temperature)


def _limit_problem(members: list[TrialRecord], config: AutoMLConfig, *, bag_folds: int = 0) -> str:
    """Which latency or size limit an ensemble of ``members`` (its unstable ones bagged
    over ``bag_folds`` folds) would break ("" if none)."""
    copies = [_copies(m, bag_folds) for m in members]
    latency = sum(k * (m.predict_latency_ms or 0.0) for m, k in zip(members, copies, strict=True))
    size_mb = sum(k * (m.size_bytes or 0) for m, k in zip(members, copies, strict=True)) / 1e6
    if config.max_predict_latency_ms is not None and latency > config.max_predict_latency_ms:
        return f"its predict latency (~{latency:.1f} ms) would exceed the limit"
    if config.max_model_size_mb is not None and size_mb > config.max_model_size_mb:
        return f"its size (~{size_mb:.1f} MB) would exceed the limit"
    return ""


def _refit_overrun(
    members: list[TrialRecord],
    data: SearchData,
    config: AutoMLConfig,
    *,
    clock: Clock,
    bag_folds: int = 0,
) -> str:
    """Why refitting ``members`` (their unstable ones bagged over ``bag_folds`` folds) on
    the search rows would overrun the budget ("" when it fits). A trial's fit time is that
    of its fold models, so a bag over as many folds costs about as much, a single refit a
    fold's share. The refit on every row (``refit_full``) is not counted: it is done only
    when the measured first refit says it fits (see the engine), else that model is kept."""
    per_fold = [m.fit_time_s / max(len(data.folds), 1) for m in members]
    one_refit = sum(t * _copies(m, bag_folds) for m, t in zip(members, per_fold, strict=True))
    refit_s = one_refit * 1.5
    left = clock.budget_s - clock.elapsed() - clock.evaluation_reserve()
    if refit_s > left:
        return (
            f"refitting its members (~{refit_s:.1f} s) would overrun the budget "
            f"({max(left, 0.0):.1f} s left)"
        )
    return ""


def _copies(member: TrialRecord, bag_folds: int) -> int:
    """How many models of ``member`` the final model holds: one, or one per bagged fold."""
    return bag_folds if bag_folds >= 2 and bagging.is_unstable(member.family) else 1


def _voting(
    members: list[TrialRecord], pipelines: list[Any], weights: dict[int, int], data: SearchData
) -> Any:
    estimators = [
        (f"trial_{m.number}_{m.family}", p) for m, p in zip(members, pipelines, strict=True)
    ]
    counts = [float(weights[m.number]) for m in members]
    if data.ctx.task == "classification":
        return VotingClassifier(estimators, voting="soft", weights=counts)
    return VotingRegressor(estimators, weights=counts)


def search_model(pipeline: Any, problem: _Problem, final: FinalModel) -> Any:
    """A model as fitted during the search (on class codes: the best trial's pipeline or
    :attr:`FinalModel.fitted`), wrapped like a refitted final model: original labels, the
    final model's temperature and its decision threshold if any."""
    if problem.task != "classification":
        return pipeline
    from sklearn.preprocessing import LabelEncoder

    threshold = final.threshold
    model: Any = LabelEncodedClassifier(pipeline, temperature=final.temperature)
    model.label_encoder_ = LabelEncoder().fit(problem.labels)
    model.classes_ = model.label_encoder_.classes_
    model.estimator_ = pipeline
    for name in ("n_features_in_", "feature_names_in_"):
        if hasattr(pipeline, name):
            setattr(model, name, getattr(pipeline, name))
    if threshold is None:
        return model
    from modelyard.ml.automl.thresholds import ThresholdClassifier

    wrapped: Any = ThresholdClassifier(model, threshold=threshold)
    wrapped.estimator_ = model
    wrapped.classes_ = model.classes_
    for name in ("n_features_in_", "feature_names_in_"):
        if hasattr(model, name):
            setattr(wrapped, name, getattr(model, name))
    return wrapped


def fit_target(problem: _Problem, positions: np.ndarray | None = None) -> Any:
    """The target to fit the final model on: original labels, or numbers for regression."""
    if problem.task == "regression":
        return problem.y if positions is None else problem.y[positions]
    return problem.labels if positions is None else problem.labels.iloc[positions]


def evaluate_on_test(
    final: FinalModel,
    problem: _Problem,
    splits: Splits,
    *,
    metric: Metric,
    notes: list[str],
    deadline: float | None = None,
    prefitted: Any = None,
) -> Tested:
    """Refit on the search rows, then score once on the test rows.

    With ``deadline`` (a ``time.perf_counter()`` value) the refit stops there keeping the
    rounds so far (:mod:`deadline`), and the notes say so. With ``prefitted`` (see
    :func:`search_model`) there is no refit: that model is tested as it is."""
    X = problem.rows[problem.features]
    is_classifier = problem.task == "classification"
    model = (
        LabelEncodedClassifier(final.estimator, temperature=final.temperature)
        if is_classifier
        else final.estimator
    )
    if is_classifier and final.threshold is not None:
        from modelyard.ml.automl.thresholds import ThresholdClassifier

        model = ThresholdClassifier(model, threshold=final.threshold)
    if prefitted is not None:
        model = prefitted
    else:
        y = fit_target(problem, splits.search)
        bounded = fit_within(model, X.iloc[splits.search], y, deadline)
        if bounded.stopped:
            notes.append(f"final refit on {len(splits.search)} rows {bounded.describe()}")
    X_test, y_test = X.iloc[splits.test], problem.y[splits.test]
    latency_ms, size = measure(model, X_test.iloc[[0]], task=problem.task)
    if is_classifier:
        proba = model.predict_proba(X_test)
        predictions = [plain(v) for v in model.predict(X_test)]
        report = full_report("classification", y_test, proba)
        probabilities: list[list[float]] | None = proba.round(6).tolist()
        matrix: list[list[int]] | None = confusion(y_test, proba)
    else:
        predicted = np.asarray(model.predict(X_test), dtype=float)
        predictions, report = predicted.tolist(), full_report("regression", y_test, predicted)
        probabilities, matrix = None, None
    notes.append(
        f"test {metric.name}={report.get(metric.name, float('nan')):.4f} on {len(splits.test)} "
        f"rows; final model predicts one row in {latency_ms:.1f} ms, {size / 1e6:.2f} MB"
    )
    return Tested(model, report, matrix, predictions, probabilities, latency_ms, size)
