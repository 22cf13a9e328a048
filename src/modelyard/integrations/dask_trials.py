"""AutoML trials in parallel across the Dask workers that are available.

Used from inside a running Dask task (the training job): the search rows are scattered
to the cluster once, an Optuna study is stored in a journal file in a temporary folder
(every family's default enqueued first, as in the in-process search), and one trial
runner per slot is submitted as a Dask task, each pinned round-robin to a worker. Each
runner loads the study and runs trials (``study.ask``/``tell`` through the shared storage,
so the sampler learns from all of them) until the shared deadline, the trial limit or a
stop request. The job's task secedes while it waits, reports progress every second
(which is where a cancel arrives) and, on a cancel, sets a Dask ``Event`` that stops the
runners within a fold. Their trials are merged in the order they finished.

The journal file must be reachable by every worker: true on one machine (LocalCluster);
for workers on several machines point ``TMPDIR`` of the job's worker at a shared folder.
With one worker and ``parallel_trials`` 1, :func:`parallel_runner` returns None and the
search runs in process, as before.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from modelyard.ml.automl.families import FAMILIES, Family
from modelyard.ml.automl.search import (
    Clock,
    Limits,
    OnTrial,
    Progress,
    SearchRunner,
    SearchState,
    _loop,
    _refit_reserve,
    _remember,
    _Search,
    _study,
    load_study,
)
from modelyard.ml.automl.stopping import StopRequested, is_stop
from modelyard.ml.automl.trials import SearchData, TrialRecord

log = logging.getLogger(__name__)

_POLL_S = 1.0
_STOP_CHECK_S = 0.5


def parallel_runner(parallel_trials: int = 1) -> SearchRunner | None:
    """A runner over the cluster's workers when called inside a Dask task and there is
    more than one worker (or ``parallel_trials`` > 1); otherwise None."""
    try:
        from distributed import get_client, get_worker

        get_worker()
    except (ImportError, ValueError):
        return None  # not inside a Dask worker
    workers = sorted(get_client().scheduler_info(n_workers=-1)["workers"])
    slots = parallel_trials if parallel_trials > 1 else len(workers)
    if slots <= 1:
        return None
    return _ParallelSearch(workers, slots)


@dataclass(frozen=True)
class _Spec:
    journal: str
    study_name: str
    stop_event: str
    started_epoch: float
    budget_s: float
    limits: Limits  # of the whole search; each runner takes its share of max_trials
    families: list[str]
    runners: int

    def runner_limits(self, index: int) -> Limits:
        """``max_trials`` split exactly over the runners (the first ones take the rest)."""
        total = self.limits.max_trials
        if total is None:
            return self.limits
        share = total // self.runners + (1 if index < total % self.runners else 0)
        return replace(self.limits, max_trials=share)


class _ParallelSearch:
    def __init__(self, workers: list[str], slots: int) -> None:
        self.workers, self.slots = workers, slots

    def __str__(self) -> str:
        return f"{self.slots} trial runners on {len(self.workers)} Dask workers"

    def __call__(
        self,
        data: SearchData,
        families: list[Family],
        *,
        clock: Clock,
        limits: Limits,
        progress: Progress,
        on_trial: OnTrial,
    ) -> SearchState:
        from distributed import Event, worker_client
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        with tempfile.TemporaryDirectory(prefix="modelyard-search-") as folder:
            journal = str(Path(folder) / "study.journal")
            name = f"search-{uuid.uuid4().hex[:12]}"
            _study(
                data, families, storage=JournalStorage(JournalFileBackend(journal)), study_name=name
            )
            runners = self.slots
            if limits.max_trials is not None:
                runners = max(1, min(self.slots, limits.max_trials))
            spec = _Spec(
                journal=journal,
                study_name=name,
                stop_event=f"modelyard-stop-{name}",
                started_epoch=time.time() - clock.elapsed(),
                budget_s=clock.budget_s,
                limits=limits,
                families=[f.name for f in families],
                runners=runners,
            )
            progress(clock.fraction(), f"running trials on {runners} Dask slots in parallel")
            with worker_client() as client:
                stop = Event(spec.stop_event, client=client)
                shared = client.scatter(data, broadcast=False, hash=False)
                futures = [
                    client.submit(
                        run_trials,
                        shared,
                        spec,
                        index,
                        key=f"{name}-runner-{index}",
                        workers=[self.workers[index % len(self.workers)]],
                        allow_other_workers=False,
                        pure=False,
                    )
                    for index in range(runners)
                ]
                stopped = self._wait(futures, stop, clock, progress, spec)
                outcomes = self._collect(futures)
                stop.clear()
        state = _merge(outcomes, data, clock=clock, limits=limits, on_trial=on_trial)
        state.stopped = stopped
        return state

    def _wait(
        self, futures: list[Any], stop: Any, clock: Clock, progress: Progress, spec: _Spec
    ) -> BaseException | None:
        from distributed import wait

        stopped: BaseException | None = None
        while True:
            try:
                wait(futures, timeout=_POLL_S)
                return stopped
            except TimeoutError:
                pass
            if stopped is not None:
                continue
            done = _finished_trials(spec)
            try:
                progress(clock.fraction(), f"{done} trials finished on {self.slots} slots")
            except Exception as exc:
                if not is_stop(exc):
                    stop.set()
                    raise
                stopped = exc
                stop.set()  # the runners end within a fold and hand back what they have

    def _collect(self, futures: list[Any]) -> list[list[tuple[TrialRecord, Any, Any]]]:
        outcomes, errors = [], []
        for future in futures:
            try:
                outcomes.append(future.result())
            except Exception as exc:  # one runner failing (or its worker dying) is not fatal
                log.warning("a trial runner failed: %r", exc)
                errors.append(exc)
        if not outcomes and errors:
            raise errors[0]
        return outcomes


def _finished_trials(spec: _Spec) -> int:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState

    storage = JournalStorage(JournalFileBackend(spec.journal))
    study_id = storage.get_study_id_from_name(spec.study_name)
    states = (TrialState.COMPLETE, TrialState.PRUNED)
    return len(storage.get_all_trials(study_id, deepcopy=False, states=states))


def run_trials(data: SearchData, spec: _Spec, index: int) -> list[tuple[TrialRecord, Any, Any]]:
    """One trial runner (a Dask task): trials of the shared study until the deadline."""
    import optuna
    from distributed import Event, get_worker
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from threadpoolctl import threadpool_limits

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    worker = get_worker().address
    families = [FAMILIES[name] for name in spec.families]
    clock = Clock(spec.budget_s, started=time.perf_counter() - (time.time() - spec.started_epoch))
    stop, last_check = Event(spec.stop_event), [0.0]

    def progress(_fraction: float, _message: str) -> None:
        if time.monotonic() - last_check[0] >= _STOP_CHECK_S:
            last_check[0] = time.monotonic()
            if stop.is_set():
                raise StopRequested("stopped by the job")

    storage = JournalStorage(JournalFileBackend(spec.journal))
    study = load_study(
        data, families, storage=storage, study_name=spec.study_name, seed_offset=index
    )
    limits = spec.runner_limits(index)
    run = _Search(data, families, clock=clock, limits=limits, progress=progress)
    with threadpool_limits(limits=data.ctx.n_jobs):
        try:
            _loop(run, study, families, clock=clock, limits=limits, on_trial=lambda _r: None)
        except Exception as exc:
            if not is_stop(exc):
                raise
    state = run.state
    return [
        (
            replace(record, worker=worker),
            state.predictions.get(record.number),
            state.pipelines.get(record.number),
        )
        for record in state.records
    ]


def _merge(
    outcomes: list[list[tuple[TrialRecord, Any, Any]]],
    data: SearchData,
    *,
    clock: Clock,
    limits: Limits,
    on_trial: OnTrial,
) -> SearchState:
    """Every runner's trials as one search, numbered in the order they finished, with the
    ensemble candidates' predictions and (small) fitted pipelines."""
    state = SearchState()
    finished = sorted(
        (trial for outcome in outcomes for trial in outcome), key=lambda t: t[0].elapsed_s
    )
    for number, (record, prediction, pipeline) in enumerate(finished):
        record = replace(record, number=number)
        if prediction is not None:
            prediction = np.asarray(prediction)
        _remember(state, record, prediction, data=data, pipeline=pipeline)
        state.durations.setdefault(record.family, []).append(record.fit_time_s)
        on_trial(record)
    if state.best is not None:
        state.best_pipeline = state.pipelines.get(state.best.number)
    clock.reserve_s = _refit_reserve(state, data, clock.budget_s, limits.n_refits)
    return state
