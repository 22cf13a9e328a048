"""The Optuna search over model family x hyperparameters, within a wall-clock budget.

Every family's default configuration is tried first, cheapest first (so a model exists
within seconds), then a seeded TPE sampler proposes the rest. Trials report a running
score after each fold and a median pruner stops the clearly bad ones; on large data
(one holdout split) boosting trials go through successive halving on data-fraction rungs
instead (see :mod:`pruning`). Before a trial
starts, its duration is estimated from earlier trials; families that would not finish
in the time left are skipped. Enough time is kept back to refit the best model and
evaluate it on the test rows.

Every trial has a deadline: the search's end (the budget less that reserve), and for the
first trial also a share (``FIRST_TRIAL_SHARE``) of the time left, so that a model surely
comes out even on big data. Boosting, forests and networks stop at it keeping the rounds
so far (:mod:`deadline`); the trial is then usable, its reason says "stopped at the
deadline" and its parameters the size reached, so the refit takes no longer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from modelyard.ml.automl.ensemble import (
    CROSS_CHECK_MAX_ROWS,
    KEEP_PER_FAMILY,
    best_per_family,
    cross_check_scores,
    kept_per_family,
    selection_scores,
)
from modelyard.ml.automl.families import Family, Params
from modelyard.ml.automl.metrics import Metric
from modelyard.ml.automl.pruning import BOOSTING, FULL_STEP, make_pruner, rungs_for
from modelyard.ml.automl.stopping import is_stop
from modelyard.ml.automl.trials import (
    FoldCache,
    SearchData,
    TrialFailed,
    TrialRecord,
    TrialStopped,
    evaluate,
    measure,
    safe_score,
)

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
OnTrial = Callable[[TrialRecord], None]
_MAX_SKIPS = 25
_HEARTBEAT_S = 1.0
# The first trial may use this share of the time left: it is sure to end with a model and
# leaves room for the refit (its fits stop at the deadline, see :mod:`deadline`).
FIRST_TRIAL_SHARE = 0.4
# Ensemble candidates' fitted pipelines up to this size are kept, so that an ensemble can be
# used as fitted in the search when refitting its members would overrun the budget.
KEEP_PIPELINE_BYTES = 20_000_000
# Under holdout, a refit longer than this share of the budget is not waited for: the best
# model as fitted in the search stands in for it, and the time goes to trials. On 1M rows
# an MLP's refit reserve (37% of 300 s) otherwise ended the search at 176 s, unused: the
# final ensemble was used as fitted anyway.
OPTIONAL_REFIT_SHARE = 0.15
# The refit reserve covers the best few candidates, not the best model alone: on digits
# (1,077 search rows) an ensemble of seven could not be refitted in the 4 s kept for one
# LightGBM and was used as fitted on 862 rows (test log loss 0.101). Refitted on the search
# rows: 0.061 (3 members reserved); refitted on every row too: 0.057 (5 reserved).
RESERVED_MEMBERS = 5


@dataclass(frozen=True)
class Limits:
    max_trials: int | None = None
    max_predict_latency_ms: float | None = None
    max_size_bytes: int | None = None
    n_refits: int = 1  # refits after the search (2 when refitting on every row too)


def evaluation_reserve(budget_s: float) -> float:
    """Seconds kept after the final refit for the test evaluation and the report."""
    return 0.5 + 0.03 * budget_s


class Clock:
    """Elapsed time against the budget, and the time kept back for the refit."""

    def __init__(self, budget_s: float, *, started: float | None = None) -> None:
        self.budget_s = budget_s
        self.started = time.perf_counter() if started is None else started
        self.reserve_s = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def search_end(self) -> float:
        """The ``time.perf_counter()`` by which trials must end (the refit reserve kept)."""
        return self.started + self.budget_s - self.reserve_s

    def end(self) -> float:
        """The ``time.perf_counter()`` at which the whole budget is spent."""
        return self.started + self.budget_s

    def evaluation_reserve(self) -> float:
        """Seconds kept after the final refit for the test evaluation and the report."""
        return evaluation_reserve(self.budget_s)

    def left(self) -> float:
        """Seconds left for searching (the refit reserve already taken off)."""
        return self.budget_s - self.elapsed() - self.reserve_s

    def fraction(self) -> float:
        return min(0.99, self.elapsed() / self.budget_s)


@dataclass
class SearchState:
    records: list[TrialRecord] = field(default_factory=list)
    predictions: dict[int, np.ndarray] = field(default_factory=dict)
    durations: dict[str, list[float]] = field(default_factory=dict)
    best: TrialRecord | None = None
    stopped: BaseException | None = None  # the stop request that ended the search early
    best_pipeline: Any = None  # the best trial's model as fitted on its (last) fold
    # ensemble candidates' models as fitted on their (last) fold, the small ones only
    pipelines: dict[int, Any] = field(default_factory=dict)
    score_s: float = 0.0  # what one metric call on the validation predictions costs

    def usable(self) -> list[TrialRecord]:
        return [r for r in self.records if r.is_usable]


class SearchRunner(Protocol):
    """Runs a search: :func:`search` itself, or one spreading trials over processes."""

    def __call__(
        self,
        data: SearchData,
        families: list[Family],
        *,
        clock: Clock,
        limits: Limits,
        progress: Progress,
        on_trial: OnTrial,
    ) -> SearchState: ...


def search(
    data: SearchData,
    families: list[Family],
    *,
    clock: Clock,
    limits: Limits,
    progress: Progress,
    on_trial: OnTrial,
) -> SearchState:
    """Run trials until the budget, the trial limit or the skip limit ends the search."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    run = _Search(data, families, clock=clock, limits=limits, progress=progress)
    study = _study(data, families)
    try:
        _loop(run, study, families, clock=clock, limits=limits, on_trial=on_trial)
    except Exception as exc:
        if not is_stop(exc):
            raise
        run.state.stopped = exc  # a stop request: keep what the finished trials found
        logger.info("search stopped after %s trials: %s", len(run.state.records), exc)
    return run.state


def _loop(
    run: _Search,
    study: Any,
    families: list[Family],
    *,
    clock: Clock,
    limits: Limits,
    on_trial: OnTrial,
) -> None:
    import optuna

    data, progress = run.data, run.progress
    names, skips = [f.name for f in families], 0
    while _may_continue(run.state, clock, limits) and skips < _MAX_SKIPS:
        trial = study.ask()
        family = next(f for f in families if f.name == trial.suggest_categorical("family", names))
        params = suggest(trial, family, data)
        if run.state.records and run.expected_duration(family) > clock.left():
            study.tell(trial, state=optuna.trial.TrialState.FAIL)  # would overrun: skip
            skips += 1
            continue
        skips = 0
        record, prediction = run.trial(family, params, trial)
        _tell(study, trial, record)
        _remember(run.state, record, prediction, data=data, pipeline=run.last_pipeline)
        if run.state.best is record:
            run.state.best_pipeline = run.last_pipeline
        clock.reserve_s = _refit_reserve(run.state, data, clock.budget_s, limits.n_refits)
        on_trial(record)
        progress(clock.fraction(), _trial_message(record, run.state, data))


def _study(
    data: SearchData,
    families: list[Family],
    *,
    storage: Any = None,
    study_name: str | None = None,
    seed_offset: int = 0,
) -> Any:
    """A study with every family's default enqueued, in memory or in ``storage``."""
    import optuna

    study = optuna.create_study(
        direction="maximize" if data.metric.is_higher_better else "minimize",
        sampler=_sampler(data, families, seed_offset),
        pruner=make_pruner(len(data.X), len(data.folds)),
        storage=storage,
        study_name=study_name,
    )
    for family in opening_order(families, len(data.X)):
        defaults = family.default(data.ctx)
        study.enqueue_trial({"family": family.name, **_prefixed(family, defaults)})
    return study


def load_study(
    data: SearchData, families: list[Family], *, storage: Any, study_name: str, seed_offset: int
) -> Any:
    """The stored study, for one of several processes that run its trials in parallel."""
    import optuna

    return optuna.load_study(
        study_name=study_name,
        storage=storage,
        sampler=_sampler(data, families, seed_offset),
        pruner=make_pruner(len(data.X), len(data.folds)),
    )


def _sampler(data: SearchData, families: list[Family], seed_offset: int) -> Any:
    import optuna

    seed = data.ctx.seed + seed_offset
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=len(families) + 5)


def opening_order(families: list[Family], n_rows: int) -> list[Family]:
    """Default LightGBM (or HistGradientBoosting) and linear first, then cheapest first."""
    names = [f.name for f in families]
    booster = "lightgbm" if "lightgbm" in names else "hist_gradient_boosting"
    first = [f for f in families if f.name in (booster, "linear")]
    first.sort(key=lambda f: f.name != booster)
    rest = sorted((f for f in families if f not in first), key=lambda f: f.cost_at(n_rows))
    return first + rest


def _prefixed(family: Family, params: Params) -> dict[str, Any]:
    return {f"{family.name}:{key}": value for key, value in params.items()}


def suggest(trial: Any, family: Family, data: SearchData) -> Params:
    """Hyperparameters for ``family`` drawn by the trial (names prefixed by the family)."""
    params: Params = {}
    for key, spec in family.space(data.ctx).items():
        name = f"{family.name}:{key}"
        if spec[0] == "int":
            params[key] = trial.suggest_int(name, spec[1], spec[2], log=spec[3])
        elif spec[0] == "float":
            params[key] = trial.suggest_float(name, spec[1], spec[2], log=spec[3])
        else:
            params[key] = trial.suggest_categorical(name, list(spec[1]))
    from modelyard.ml.automl.model_steps import INTERACTION_FAMILIES

    if data.prep.interactions == "search" and family.name in INTERACTION_FAMILIES:
        params["interactions"] = trial.suggest_categorical(
            f"{family.name}:interactions", [False, True]
        )
    return params


def _may_continue(state: SearchState, clock: Clock, limits: Limits) -> bool:
    if limits.max_trials is not None and len(state.records) >= limits.max_trials:
        return False
    return not state.records or clock.left() > 0


class _Search:
    """One search's fixed parts (data, families, clock, limits) and its growing state."""

    def __init__(
        self,
        data: SearchData,
        families: list[Family],
        *,
        clock: Clock,
        limits: Limits,
        progress: Progress,
    ) -> None:
        self.data, self.families, self.clock = data, families, clock
        self.limits, self.progress = limits, progress
        self.state, self.cache = SearchState(), FoldCache(data)
        self.last_pipeline: Any = None  # the last trial's fitted pipeline, if it has one

    def expected_duration(self, family: Family) -> float:
        """Mean duration of this family's trials, or a guess scaled from others' by cost."""
        own = self.state.durations.get(family.name)
        if own:
            return float(np.mean(own))
        n_rows = len(self.data.X)
        costs = {f.name: f.cost_at(n_rows) for f in self.families}
        per_cost = [float(np.mean(t)) / costs[n] for n, t in self.state.durations.items()]
        return costs[family.name] * float(np.median(per_cost)) if per_cost else 0.0

    def trial(
        self, family: Family, params: Params, trial: Any
    ) -> tuple[TrialRecord, np.ndarray | None]:
        """Run one trial; a stopped or failed one gives a record without predictions."""
        number, started = len(self.state.records), time.perf_counter()
        self.last_pipeline = None
        has_model = self.state.best is not None

        rungs = rungs_for(family.name, len(self.data.X), len(self.data.folds))
        if not any(r.family in BOOSTING and r.is_usable for r in self.state.records):
            rungs = ()  # the first booster has nothing to be halved against: fit it at once
        offset = FULL_STEP if rungs else 0
        deadline = self.trial_deadline(has_model)

        def on_fold(fold: int, running_score: float) -> None:
            trial.report(running_score, fold + offset)
            if fold + 1 < len(self.data.folds):
                self._between_folds(fold, trial, family, started=started, has_model=has_model)

        def on_rung(step: int, score: float) -> None:
            trial.report(score, step)
            if trial.should_prune():
                share = next(s for s, k in rungs if k == step)
                raise TrialStopped(
                    f"pruned by successive halving after fitting {share:.0%} of the rows"
                )
            self.progress(self.clock.fraction(), f"trial {number}: {family.name} rung {step}")

        try:
            evaluation = evaluate(
                self.data,
                self.cache,
                family,
                params=params,
                on_fold=on_fold,
                rungs=rungs,
                on_rung=on_rung,
                deadline=deadline,
            )
        except TrialStopped as stop:
            self._note_duration(family, started)
            record = self._record(
                number, family, params, status=stop.status, reason=stop.reason, started=started
            )
            return record, None
        except TrialFailed as failure:
            logger.info("trial %s (%s) failed: %s", number, family.name, failure)
            record = self._record(
                number, family, params, status="failed", reason=str(failure), started=started
            )
            return record, None
        self._note_duration(family, started)
        self.last_pipeline = evaluation.pipeline
        row = self.data.X.iloc[[0]]
        latency_ms, size = measure(evaluation.pipeline, row, task=self.data.ctx.task)
        over = _over_limit(latency_ms, size, self.limits)
        record = TrialRecord(
            number=number,
            family=family.name,
            params={**params, **(evaluation.sizes or {})},  # the sizes actually fitted
            status="over_limit" if over else "ok",
            val_score=evaluation.val_score,
            fit_time_s=evaluation.fit_time_s,
            predict_latency_ms=latency_ms,
            size_bytes=size,
            reason=over or evaluation.stopped,
            elapsed_s=self.clock.elapsed(),
        )
        return record, evaluation.prediction

    def trial_deadline(self, has_model: bool) -> float:
        """When this trial's fits must stop: the search's end, and for the first trial
        (no model yet) also a share of the time left, so that a model surely comes out
        with room to refit it."""
        clock, now = self.clock, time.perf_counter()
        if has_model:
            return clock.search_end()
        return min(clock.search_end(), now + FIRST_TRIAL_SHARE * max(0.0, clock.end() - now))

    def _between_folds(
        self, fold: int, trial: Any, family: Family, *, started: float, has_model: bool
    ) -> None:
        """Prune, stop for time (keeping the next fold in mind), or say we are alive."""
        if trial.should_prune():
            raise TrialStopped(f"pruned after fold {fold + 1}: below the median of earlier trials")
        clock = self.clock
        next_fold_s = (time.perf_counter() - started) / (fold + 1)
        left = clock.left() if has_model else clock.budget_s - clock.elapsed()
        if left < (next_fold_s if has_model else 0.0):
            raise TrialStopped(f"stopped after fold {fold + 1}: the time budget ran out")
        if time.perf_counter() - started > _HEARTBEAT_S:
            number = len(self.state.records)
            self.progress(clock.fraction(), f"trial {number}: {family.name} fold {fold + 2}")

    def _note_duration(self, family: Family, started: float) -> None:
        self.state.durations.setdefault(family.name, []).append(time.perf_counter() - started)

    def _record(
        self,
        number: int,
        family: Family,
        params: Params,
        *,
        status: Any,
        reason: str,
        started: float,
    ) -> TrialRecord:
        return TrialRecord(
            number=number,
            family=family.name,
            params=params,
            status=status,
            val_score=None,
            fit_time_s=time.perf_counter() - started,
            reason=reason,
            elapsed_s=self.clock.elapsed(),
        )


def _over_limit(latency_ms: float, size: int, limits: Limits) -> str:
    if limits.max_predict_latency_ms is not None and latency_ms > limits.max_predict_latency_ms:
        return f"predict latency {latency_ms:.2f} ms > limit {limits.max_predict_latency_ms} ms"
    if limits.max_size_bytes is not None and size > limits.max_size_bytes:
        return f"size {size / 1e6:.2f} MB > limit {limits.max_size_bytes / 1e6:.2f} MB"
    return ""


def _tell(study: Any, trial: Any, record: TrialRecord) -> None:
    from optuna.trial import TrialState

    if record.status in ("ok", "over_limit") and record.val_score is not None:
        study.tell(trial, record.val_score)
    elif record.status == "pruned":
        study.tell(trial, state=TrialState.PRUNED)
    else:
        study.tell(trial, state=TrialState.FAIL)


def ensemble_candidates(
    state: SearchState, metric: Metric, keep: int = KEEP_PER_FAMILY
) -> list[TrialRecord]:
    """The best ``keep`` trials of each family: for an ensemble, diversity beats rank."""
    usable = [r for r in state.usable() if r.val_score is not None]
    ranked = sorted(usable, key=lambda r: float(r.val_score or 0.0))
    if metric.is_higher_better:
        ranked.reverse()
    return best_per_family(ranked, lambda r: r.family, keep)


def _remember(
    state: SearchState,
    record: TrialRecord,
    prediction: np.ndarray | None,
    *,
    data: SearchData,
    pipeline: Any = None,
) -> None:
    """Add a finished trial; keep the predictions of the best trials of each family (for
    the ensemble and, on few validation rows, its cross-check) and the ensemble candidates'
    small pipelines."""
    state.records.append(record)
    if not record.is_usable or prediction is None:
        return
    assert record.val_score is not None
    best_score = state.best.val_score if state.best else None
    if data.metric.is_better(record.val_score, best_score):
        state.best = record
    state.predictions[record.number] = prediction
    if not state.score_s:
        state.score_s = _score_cost(data, prediction)
    if pipeline is not None and (record.size_bytes or 0) <= KEEP_PIPELINE_BYTES:
        state.pipelines[record.number] = pipeline
    per_family = kept_per_family(len(data.validation_rows))
    keep = {r.number for r in ensemble_candidates(state, data.metric, per_family)}
    state.predictions = {n: p for n, p in state.predictions.items() if n in keep}
    candidates = {r.number for r in ensemble_candidates(state, data.metric)}
    state.pipelines = {n: p for n, p in state.pipelines.items() if n in candidates}


def _refit_reserve(
    state: SearchState, data: SearchData, budget_s: float, n_refits: int = 1
) -> float:
    """Seconds to keep back: ensemble selection, refitting the best few models (with
    margin), then the test evaluation. Under one holdout split the best model as fitted in
    the search can stand in for its refit (the engine tests it as fitted when a refit would
    overrun), so at most :data:`OPTIONAL_REFIT_SHARE` of the budget waits for the refit;
    the rest goes to trials."""
    if state.best is None:
        return 0.0
    members = _likely_members(state, data)
    refit_s = 1.5 * sum(refit_estimate(r, data) for r in members) * n_refits
    if len(data.folds) == 1 and state.best_pipeline is not None:
        refit_s = min(refit_s, OPTIONAL_REFIT_SHARE * budget_s)
    return refit_s + _selection_reserve(state, data, budget_s) + evaluation_reserve(budget_s)


def _selection_reserve(state: SearchState, data: SearchData, budget_s: float) -> float:
    """Seconds for ensemble selection, stacking and, on few validation rows, the
    cross-check: the scores they will compute at the metric's measured cost, and a margin.
    With 200 kept trials the cross-check scores ~20,000 ensembles: 3.6 s at 2,000 rows by
    ROC AUC. Before it was counted (and while PR AUC was scikit-learn's, 1 ms a call), a
    30 s search on 2,500 rows scored by PR AUC took 52.6 s."""
    margin = 0.3 + 0.03 * budget_s
    if not state.predictions:
        return margin
    n_candidates = len(ensemble_candidates(state, data.metric))
    scores = selection_scores(n_candidates)
    if len(data.validation_rows) <= CROSS_CHECK_MAX_ROWS:
        scores += cross_check_scores(len(state.predictions), n_candidates)
    return margin + scores * state.score_s


def _score_cost(data: SearchData, prediction: np.ndarray) -> float:
    """Seconds one metric call on the validation predictions takes (best of three)."""
    y = data.y[data.validation_rows]
    costs = []
    for _ in range(3):
        started = time.perf_counter()
        safe_score(data.metric, y, prediction)
        costs.append(time.perf_counter() - started)
    return min(costs)


def _likely_members(state: SearchState, data: SearchData) -> list[TrialRecord]:
    """The best few candidates: what the final ensemble usually holds and must refit."""
    assert state.best is not None
    candidates = ensemble_candidates(state, data.metric) if state.records else []
    return candidates[:RESERVED_MEMBERS] or [state.best]


def refit_estimate(record: TrialRecord, data: SearchData) -> float:
    """Seconds to refit ``record``'s model on all search rows, from its fold fit times."""
    n_folds = len(data.folds)
    train_share = float(np.mean([len(tr) for tr, _ in data.folds])) / len(data.X)
    return record.fit_time_s / n_folds / max(train_share, 0.5)


def _trial_message(record: TrialRecord, state: SearchState, data: SearchData) -> str:
    name = data.metric.name
    best = f"best {state.best.val_score:.4f}" if state.best and state.best.val_score else "no model"
    if record.status in ("ok", "over_limit") and record.val_score is not None:
        note = " (over the limit)" if record.status == "over_limit" else ""
        note = f" ({record.reason})" if record.status == "ok" and record.reason else note
        score = f"val {name}={record.val_score:.4f}{note}"
        return f"trial {record.number}: {record.family} {score} ({best})"
    return f"trial {record.number}: {record.family} {record.status}: {record.reason} ({best})"


def describe_failure(state: SearchState, clock: Clock) -> tuple[str, str]:
    """Why no model came out of the search: (code, message)."""
    over = [r for r in state.records if r.status == "over_limit"]
    if over:
        return "automl.limits_unmet", (
            f"No model met the latency/size limits: {len(over)} trial(s) were over them "
            f"(for example {over[0].family}: {over[0].reason}). Relax the limits."
        )
    failed = [r for r in state.records if r.status == "failed"]
    if failed and len(failed) == len(state.records):
        return "automl.all_trials_failed", (
            f"Every trial failed; the first: {failed[0].family}: {failed[0].reason}"
        )
    spent = clock.elapsed()
    return "automl.budget_too_small", (
        f"The time budget of {clock.budget_s:g} s was too small to fit a single model "
        f"({spent:.1f} s spent without finishing one). Raise time_budget_s."
    )
