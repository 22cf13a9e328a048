"""``fit_automl``: from a table and a target to a tested model, within a time budget.

Steps: check the target, drop unusable columns (with reasons), hold out a test split the
search never sees, search families x hyperparameters, build an ensemble when it beats the
best single model on validation, refit the winner on all search rows, and evaluate it
once on the test split. The refit stops at the budget's end less the time the test
evaluation needs; when it would not fit at all, the best trial's model as fitted in the
search is tested instead (the notes say so).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.bagging import BAGGED_VALIDATIONS
from modelyard.ml.automl.columns import classify_columns, screen_features
from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.families import FAMILIES, Family, FamilyContext
from modelyard.ml.automl.metrics import METRICS, Metric, plain
from modelyard.ml.automl.recommend import DataProfile, choose_families, choose_metric
from modelyard.ml.automl.result import AutoMLResult
from modelyard.ml.automl.scale import fit_to_memory
from modelyard.ml.automl.search import (
    Clock,
    Limits,
    SearchRunner,
    SearchState,
    describe_failure,
    search,
)
from modelyard.ml.automl.stopping import StopGuard
from modelyard.ml.automl.targets import Task, check_target, labelled_rows, resolve_task
from modelyard.ml.automl.trials import SearchData, TrialRecord
from modelyard.ml.automl.validation import Splits, make_splits

if TYPE_CHECKING:
    from modelyard.ml.automl.final import FinalModel, Tested

Progress = Callable[[float, str], None]
OnTrial = Callable[[TrialRecord], None]

# Below this many rows, learners run single-threaded: thread start-up and OpenMP spinning
# cost more than they save on small data (measured: LightGBM and HistGradientBoosting get
# several times slower with 2 threads on 5,000 rows). On a machine already busier than its
# cores, OpenMP threads spin-wait against each other: LightGBM on 60,000 rows took 1 s with
# one thread and 20 s with two on a loaded 2-core machine, so a busy machine gets one too.
PARALLEL_ROWS = 20_000
# The refit on every row is started when 1.2 x the refit on the search rows (scaled by
# the rows) ends within the budget; a booster cut at the deadline would be worse than the
# tested model refit on the search rows.
REFIT_MARGIN = 1.2


def learner_threads(config: AutoMLConfig, n_rows: int) -> int:
    """Threads per learner: the configured number on large data and an idle machine, else 1."""
    cores = os.cpu_count() or 1
    is_busy = hasattr(os, "getloadavg") and os.getloadavg()[0] >= cores
    return config.threads if n_rows >= PARALLEL_ROWS and not is_busy else 1


@dataclass(frozen=True)
class _Problem:
    """The checked inputs of a search."""

    rows: pd.DataFrame
    task: Task
    y: np.ndarray  # class codes or floats
    labels: pd.Series  # the target as given
    classes: list[Any] | None
    features: list[str]
    dropped: dict[str, str]


def fit_automl(
    df: pd.DataFrame,
    target: str,
    config: AutoMLConfig | None = None,
    *,
    progress: Progress | None = None,
    on_trial: OnTrial | None = None,
    run_search: SearchRunner | None = None,
) -> AutoMLResult:
    """Search for the best model the time budget allows; see the module docstring.

    ``progress(fraction, message)`` is called after every trial (and during long ones);
    an exception it raises stops the search and propagates, except a stop request (a
    cancelled job): then the best model so far is kept and returned (``stopped_early``).
    ``run_search`` replaces the in-process search (same arguments and result as
    :func:`~modelyard.ml.automl.search.search`), e.g. with trials in parallel on Dask.
    """
    from threadpoolctl import threadpool_limits

    config = config or AutoMLConfig()
    clock = Clock(config.time_budget_s)
    report = StopGuard(progress or (lambda _f, _m: None))
    problem = _problem(df, target, config)
    problem, memory = fit_to_memory(problem, config)
    splits = make_splits(problem.rows, problem.y, problem.task, config=config)
    data = _search_data(problem, splits, config)
    families = [f for f in _families(config, data) if f.name in memory.families]
    notes = [
        f"task {problem.task}, metric {data.metric.name}, validation {splits.plan.kind} "
        f"({splits.plan.reason})",
        f"{len(splits.search)} search rows, {len(splits.test)} test rows held out",
        *memory.notes,
    ]
    report(0.0, notes[0])
    for line in memory.notes:
        report(0.0, line)
    run = _Run(problem, splits, data, config, clock, report, notes)
    with threadpool_limits(limits=data.ctx.n_jobs):
        state = (run_search or search)(
            data,
            families,
            clock=clock,
            limits=_limits(config),
            progress=report,
            on_trial=on_trial or (lambda _r: None),
        )
        report.stop = state.stopped
        if state.stopped is not None and state.best is None:
            raise state.stopped  # cancelled before any trial finished: nothing to keep
        if state.best is None:
            code, message = describe_failure(state, clock)
            raise InvalidInputError(message, code=code)
        if state.stopped is not None:
            notes.append(f"stopped after {len(state.records)} trials; best so far kept")
        return dataclasses.replace(
            _finish(run, state),
            stopped_early=state.stopped is not None,
            memory_estimate_gb=round(memory.estimate.total_gb, 3),
            downsampled_from=memory.downsampled_from,
        )


def _problem(df: pd.DataFrame, target: str, config: AutoMLConfig) -> _Problem:
    check_target(df, target)
    for column in (config.group_column, config.time_column):
        if column and column not in df.columns:
            raise InvalidInputError(
                f"The column {column!r} named in the configuration is not in the data.",
                code="automl.column_unknown",
            )
    rows = labelled_rows(df, target).reset_index(drop=True)
    labels = rows[target]
    task = resolve_task(labels, target, config.supervised_task)
    reserved = tuple(c for c in (config.group_column,) if c)
    features, dropped = screen_features(rows, target, task, reserved=reserved)
    if task == "regression":
        y = pd.to_numeric(labels).to_numpy(dtype=float)
        return _Problem(rows, task, y, labels, None, features, dropped)
    classes, codes = np.unique(labels.to_numpy(dtype=object), return_inverse=True)
    _check_class_sizes(classes, np.bincount(codes), target)
    return _Problem(rows, task, codes, labels, [plain(c) for c in classes], features, dropped)


def _check_class_sizes(classes: np.ndarray, counts: np.ndarray, target: str) -> None:
    rare = [plain(c) for c, n in zip(classes, counts, strict=True) if n < 2]
    if rare:
        raise InvalidInputError(
            f"The target {target!r} has classes seen in a single row "
            f"({', '.join(map(repr, rare[:5]))}); each class needs at least 2 rows, "
            "one to learn from and one to test on. "
            "Remove those rows or merge the rare classes.",
            code="training.class_too_rare",
            details={"classes": [str(c) for c in rare[:50]]},
        )


def _search_data(problem: _Problem, splits: Splits, config: AutoMLConfig) -> SearchData:
    X = problem.rows[problem.features].iloc[splits.search].reset_index(drop=True)
    y = problem.y[splits.search]
    kinds = classify_columns(X)
    n_classes = len(problem.classes or [])
    counts = np.bincount(y.astype(int), minlength=2) if problem.task == "classification" else None
    ctx = FamilyContext(
        task=problem.task,
        n_rows=len(X),
        n_features=len(problem.features),
        n_classes=n_classes,
        seed=config.seed,
        n_jobs=learner_threads(config, len(X)),
        positive_ratio=float(counts[0] / max(counts[1], 1)) if counts is not None else 1.0,
        fit_time_limit_s=config.time_budget_s / (3 * len(splits.folds)),
    )
    return SearchData(X, y, splits.folds, kinds, ctx, _metric(problem, config), config.prep)


def _metric(problem: _Problem, config: AutoMLConfig) -> Metric:
    if config.metric is None:
        return METRICS[choose_metric(_profile(problem), problem.task).value]
    metric = METRICS[config.metric]
    if metric.task != problem.task:
        raise InvalidInputError(
            f"The metric {metric.name!r} is for {metric.task}, but the task is {problem.task}.",
            code="automl.metric_task_mismatch",
        )
    return metric


def _profile(problem: _Problem) -> DataProfile:
    counts = np.bincount(problem.y.astype(int)) if problem.task == "classification" else None
    return DataProfile(
        n_rows=len(problem.rows),
        n_columns=len(problem.rows.columns),
        n_features=len(problem.features),
        column_kinds={},
        missing_share=0.0,
        max_cardinality=0,
        n_classes=len(counts) if counts is not None else None,
        minority_share=float(counts.min() / counts.sum()) if counts is not None else None,
        target_skew=float(pd.Series(problem.y).skew()) if counts is None else None,
    )


def _families(config: AutoMLConfig, data: SearchData) -> list[Family]:
    if config.families is None:
        profile = DataProfile(data.ctx.n_rows, 0, data.ctx.n_features, {}, 0.0, 0)
        return [FAMILIES[s.value] for s in choose_families(profile)[0]]
    unknown = [name for name in config.families if name not in FAMILIES]
    missing = [n for n in config.families if n in FAMILIES and not FAMILIES[n].is_available]
    if unknown or missing or not config.families:
        raise InvalidInputError(
            f"Unknown or unavailable model families: {', '.join(unknown + missing) or 'none given'}"
            f". Available: {', '.join(n for n, f in FAMILIES.items() if f.is_available)}.",
            code="automl.unknown_family",
        )
    return [FAMILIES[name] for name in config.families]


def _limits(config: AutoMLConfig) -> Limits:
    size = config.max_model_size_mb
    return Limits(
        max_trials=config.max_trials,
        max_predict_latency_ms=config.max_predict_latency_ms,
        max_size_bytes=int(size * 1e6) if size is not None else None,
        n_refits=2 if config.refit_full else 1,
    )


@dataclass(frozen=True)
class _Run:
    """What ``fit_automl`` set up before searching, handed to the steps after it."""

    problem: _Problem
    splits: Splits
    data: SearchData
    config: AutoMLConfig
    clock: Clock
    report: Progress
    notes: list[str]


def _finish(run: _Run, state: SearchState) -> AutoMLResult:
    """Ensemble or best model, refit on the search rows, one test evaluation."""
    from modelyard.ml.automl.final import build_final, calibrate, evaluate_on_test

    run.notes.append(_search_summary(state, run.data, run.clock))
    run.report(run.clock.fraction(), "choosing the final model")
    plan = run.splits.plan
    final = build_final(
        run.data,
        state,
        run.config,
        clock=run.clock,
        notes=run.notes,
        bag_folds=plan.n_folds if plan.kind in BAGGED_VALIDATIONS else 0,
    )
    final = _with_threshold(run, final)
    if run.problem.task == "classification":
        y_val = run.data.y[run.data.validation_rows]
        final = calibrate(final, y_val, notes=run.notes)
    deadline = run.clock.end() - run.clock.evaluation_reserve()
    kept = _kept_model(run, state, final, deadline)
    if kept is None:
        n_fit = len(run.splits.search)
        run.report(run.clock.fraction(), f"refitting {final.algorithm} on {n_fit} rows")
    else:
        n_fit = len(run.data.folds[-1][0])
        run.report(run.clock.fraction(), f"testing {final.algorithm} as fitted in the search")
    started = time.perf_counter()
    tested = evaluate_on_test(
        final,
        run.problem,
        run.splits,
        metric=run.data.metric,
        notes=run.notes,
        deadline=deadline,
        prefitted=kept,
    )
    if run.config.refit_full and kept is None:
        _refit_full(run, tested.model, refit_s=time.perf_counter() - started)
    elif run.config.refit_full:
        run.notes.append(
            f"refit on all {len(run.problem.rows)} rows skipped: refitting would overrun the "
            "budget, so the model as fitted in the search is kept"
        )
    ranking = _feature_ranking(run)
    name = run.data.metric.name
    run.report(1.0, f"finished: test {name}={tested.metrics.get(name, float('nan')):.4f}")
    result = _result(run, state, final=final, tested=tested)
    if kept is not None:
        result = dataclasses.replace(result, n_train=n_fit)
    return dataclasses.replace(result, feature_ranking=ranking, threshold=final.threshold)


def _kept_model(run: _Run, state: SearchState, final: FinalModel, deadline: float) -> Any:
    """The final model as fitted in the search, when refitting it on all search rows would
    overrun the budget (None: refit). An ensemble chosen for that reason comes fitted
    (:attr:`FinalModel.fitted`); a single model is the best trial's pipeline."""
    from modelyard.ml.automl.final import search_model
    from modelyard.ml.automl.search import refit_estimate

    if final.fitted is not None:
        return search_model(final.fitted, run.problem, final)
    best, pipeline = state.best, state.best_pipeline
    if best is None or pipeline is None or final.weights or final.algorithm != best.family:
        return None
    estimate, left = 1.5 * refit_estimate(best, run.data), deadline - time.perf_counter()
    if estimate <= left:
        return None
    n_fit = len(run.data.folds[-1][0])
    run.notes.append(
        f"final refit on {len(run.splits.search)} rows skipped: it would take ~{estimate:.0f} s "
        f"and {max(left, 0.0):.0f} s are left; the search's model fitted on {n_fit} rows is used"
    )
    return search_model(pipeline, run.problem, final)


def _refit_full(run: _Run, model: Any, *, refit_s: float) -> None:
    """Refit on every row (test split included) when the refit on the search rows, which
    took ``refit_s`` (test predictions included), says it ends within the budget; else keep
    the tested model and say why."""
    from modelyard.ml.automl.deadline import fit_within
    from modelyard.ml.automl.final import fit_target

    n_rows, n_search = len(run.problem.rows), len(run.splits.search)
    estimate_s = REFIT_MARGIN * refit_s * n_rows / max(n_search, 1)
    left_s = run.clock.end() - time.perf_counter()
    if estimate_s >= left_s:
        run.notes.append(
            f"refit on all {n_rows} rows skipped: it would take ~{estimate_s:.1f} s and "
            f"{max(left_s, 0.0):.1f} s are left; the model refit on the {n_search} search "
            "rows is kept"
        )
        return
    run.report(run.clock.fraction(), "refitting on every row, test split included")
    X = run.problem.rows[run.problem.features]
    bounded = fit_within(model, X, fit_target(run.problem), run.clock.end())
    run.notes.append(f"refit on all {n_rows} rows after the test evaluation {bounded.describe()}")


def _with_threshold(run: _Run, final: FinalModel) -> FinalModel:
    """The final model with a decision threshold tuned on the validation predictions."""
    import dataclasses

    from modelyard.ml.automl.thresholds import tune_threshold

    config = run.config
    if config.threshold_metric is None and config.cost_matrix is None:
        return final
    if run.problem.task != "classification" or len(run.problem.classes or []) != 2:
        run.notes.append("threshold tuning skipped: it is for binary classification only")
        return final
    proba = final.val_predictions
    if proba is None:
        run.notes.append("threshold tuning skipped: no validation predictions were kept")
        return final
    y = run.data.y[run.data.validation_rows]
    threshold = tune_threshold(
        y, proba[:, 1], metric=config.threshold_metric, cost_matrix=config.cost_matrix
    )
    goal = config.threshold_metric or f"cost matrix {config.cost_matrix}"
    run.notes.append(f"decision threshold {threshold:.2f} tuned on validation for {goal}")
    return dataclasses.replace(final, threshold=threshold)


def _feature_ranking(run: _Run) -> list[dict[str, Any]] | None:
    """Ranked features (feature, score, selected, method) of the search rows, when selecting."""
    from modelyard.ml.automl.preprocessing import build_preprocessor

    data = run.data
    if data.prep.feature_selection == "none":
        return None
    prep = build_preprocessor(
        data.kinds, scaled=True, task=data.ctx.task, seed=data.ctx.seed, options=data.prep
    )
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prep.fit(data.X, data.y)
    except Exception as exc:  # the ranking is a report: it never fails the run
        run.notes.append(f"feature ranking unavailable: {type(exc).__name__}: {exc}"[:300])
        return None
    selector = prep.named_steps["select"]
    names = _output_names(prep.named_steps["columns"], selector.n_features_in_)
    ranking: list[dict[str, Any]] = selector.ranking(names)
    kept = sum(r["selected"] for r in ranking)
    run.notes.append(
        f"feature selection ({ranking[0]['method'] if ranking else 'none'}): "
        f"{kept} of {len(ranking)} preprocessed features kept"
    )
    return ranking


def _output_names(columns: Any, n_outputs: int) -> list[str] | None:
    """The ColumnTransformer's output names (``part__name``); text parts name their terms."""
    names: list[str] = []
    for part, transformer, inputs in columns.transformers_:
        if part == "remainder" or isinstance(transformer, str):
            continue
        try:
            out = list(transformer.get_feature_names_out(inputs))
        except (AttributeError, ValueError, TypeError):
            last = transformer.steps[-1][1] if hasattr(transformer, "steps") else transformer
            try:
                out = list(last.get_feature_names_out())
            except (AttributeError, ValueError, TypeError):
                return None
        names += [f"{part}__{name}" for name in out]
    return names if len(names) == n_outputs else None


def _result(run: _Run, state: SearchState, *, final: FinalModel, tested: Tested) -> AutoMLResult:
    problem, splits = run.problem, run.splits
    assert state.best is not None
    return AutoMLResult(
        model=tested.model,
        task=problem.task,
        metric=run.data.metric.name,
        algorithm=final.algorithm,
        leaderboard=list(state.records),
        best_trial=state.best,
        val_score=final.val_score,
        test_metrics=tested.metrics,
        confusion_matrix=tested.confusion,
        feature_columns=list(problem.features),
        dropped_columns=dict(problem.dropped),
        classes=problem.classes,
        elapsed_s=run.clock.elapsed(),
        y_test=[plain(v) for v in problem.labels.iloc[splits.test]],
        test_predictions=tested.predictions,
        test_probabilities=tested.probabilities,
        config=run.config,
        validation=f"{splits.plan.kind} ({len(splits.folds)} fold(s))",
        n_train=len(problem.rows) if run.config.refit_full else len(splits.search),
        n_test=len(splits.test),
        ensemble_weights=final.weights,
        predict_latency_ms=tested.predict_latency_ms,
        size_bytes=tested.size_bytes,
        notes=run.notes,
        test_features=problem.rows[problem.features].iloc[splits.test],
    )


def _search_summary(state: SearchState, data: SearchData, clock: Clock) -> str:
    statuses = [r.status for r in state.records]
    counted = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses))
    best = state.best
    assert best is not None
    return (
        f"{len(state.records)} trials in {clock.elapsed():.1f} s ({counted}); best: trial "
        f"{best.number} {best.family} val {data.metric.name}={best.val_score:.4f}"
    )
