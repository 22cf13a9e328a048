"""Ensemble selection (Caruana et al., 2004) and stacking on out-of-fold predictions.

Ensemble selection: starting from the best model, each round adds (with replacement) the
candidate whose inclusion gives the best score of the averaged predictions; the weights
are how often each model was picked, taken at the best round. Classification averages
probabilities. With ten or more candidates the selection is bagged (the paper's remedy
for a small hill-climbing set): it runs on 20 random halves of the candidates and the
ensembles are averaged, so a few near-identical models that fit the validation rows best
cannot take all the weight. On 45-row test splits of wine and penguins, greedy selection
gave an ensemble of linear models and k-NN confidently wrong on one row that the trees
got right; the bagged one mixes them in. With fewer candidates a half would often leave
out every good one, so the selection stays greedy.

Stacking: a logistic (classification) or ridge (regression) meta-learner on the best
models' out-of-fold predictions; its score is cross-validated on the validation rows.
The final step keeps whichever of the two beats the best single model by more.

Cross-check: the best single model's validation score is the best of many trials on the
same rows, so it flatters itself more than an ensemble's does (the winner's curse). On up
to :data:`CROSS_CHECK_MAX_ROWS` validation rows, both ways to choose, the best single
model and ensemble selection, are made again on four fifths of the rows, from the best
:data:`CROSS_CHECK_PER_FAMILY` trials of each family, and scored on the fifth they did not
see (pooled over five folds), as the stack's meta-learner is. The final step keeps the
single model only when it wins clearly there: in :data:`SINGLE_SURE` of 200 bootstrap
resamples of the rows; a narrow lead is seldom that of a better model. On wine's seed-2
split the best of 418 trials scored 0.046 on validation, 0.066 on the rows left out of
its choice, and lost to the ensemble (0.048; 0.055 left out), which took test log loss
0.067 -> 0.044.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from modelyard.ml.automl.metrics import Metric
from modelyard.ml.automl.trials import safe_score

_MAX_CANDIDATES = 20
_ROUNDS = 20
_BAGS = 20
_BAG_SHARE = 0.5
_MIN_BAGGED = 10  # fewer: plain greedy selection (half of a few leaves out the good ones)
KEEP_PER_FAMILY = 3  # ensemble candidates: the best few of each family, for diversity
CROSS_CHECK_MAX_ROWS = 2_000  # more: one selection takes seconds, and scores flatter less
CROSS_CHECK_PER_FAMILY = 20  # trials per family whose predictions the cross-check keeps
_FOLDS = 5
SINGLE_SURE = 0.9  # the single model is kept when it wins in this share of resamples
_RESAMPLES = 200

T = TypeVar("T")


def best_per_family(ranked: Sequence[T], family: Callable[[T], str], keep: int) -> list[T]:
    """The first ``keep`` items of each family, in ``ranked`` order."""
    seen: Counter[str] = Counter()
    picked = []
    for item in ranked:
        if seen[family(item)] < keep:
            picked.append(item)
            seen[family(item)] += 1
    return picked


def kept_per_family(n_validation_rows: int) -> int:
    """How many trials of each family keep their validation predictions: enough for the
    cross-check on few rows, the ensemble candidates otherwise."""
    if n_validation_rows <= CROSS_CHECK_MAX_ROWS:
        return CROSS_CHECK_PER_FAMILY
    return KEEP_PER_FAMILY


@dataclass(frozen=True)
class EnsembleChoice:
    weights: dict[int, int]  # trial number -> times picked
    val_score: float

    @property
    def is_single(self) -> bool:
        return len(self.weights) < 2


Candidate = tuple[int, float, np.ndarray]  # trial number, validation score, predictions


def select_ensemble(
    candidates: list[Candidate], y: np.ndarray, metric: Metric, *, seed: int = 0
) -> EnsembleChoice:
    """Bagged ensemble selection over the best candidates (greedy when they are few)."""
    ranked = _ranked(candidates, metric)
    if len(ranked) < _MIN_BAGGED:
        return _greedy(ranked, y, metric)
    rng = np.random.default_rng(seed)
    size = max(2, round(len(ranked) * _BAG_SHARE))
    shares: dict[int, float] = {}
    for _ in range(_BAGS):
        bag = _greedy([ranked[i] for i in sorted(rng.choice(len(ranked), size, False))], y, metric)
        picked = sum(bag.weights.values())
        for number, count in bag.weights.items():
            shares[number] = shares.get(number, 0.0) + count / picked
    scaled = {number: share * _ROUNDS / _BAGS for number, share in shares.items()}
    weights = {number: max(1, round(w)) for number, w in scaled.items() if w >= 0.5}
    predictions = {number: p for number, _, p in ranked}
    averaged = weighted_average(predictions, weights)
    return EnsembleChoice(weights, float(safe_score(metric, y, averaged)))


def selection_scores(n_candidates: int) -> int:
    """How many ensembles :func:`select_ensemble` scores for this many candidates."""
    n = min(n_candidates, _MAX_CANDIDATES)
    if n < _MIN_BAGGED:
        return (_ROUNDS - 1) * n
    return _BAGS * (_ROUNDS - 1) * max(2, round(n * _BAG_SHARE)) + 1


def cross_check_scores(n_trials: int, n_candidates: int) -> int:
    """How many scores :func:`cross_check` computes: each fold scores every trial and
    makes a selection; the bootstrap scores both choices on each resample."""
    if n_trials < 2:
        return 0
    return _FOLDS * (n_trials + selection_scores(n_candidates)) + 2 * _RESAMPLES + 2


def weighted_average(predictions: dict[int, np.ndarray], weights: dict[int, int]) -> np.ndarray:
    """The ensemble's predictions: its members' (by trial number), averaged by weight."""
    total = np.sum([predictions[n].astype(float) * w for n, w in weights.items()], axis=0)
    return np.asarray(total / sum(weights.values()))


def _ranked(candidates: list[Candidate], metric: Metric) -> list[Candidate]:
    ranked = sorted(candidates, key=lambda c: c[1], reverse=metric.is_higher_better)
    return ranked[:_MAX_CANDIDATES]


def _greedy(candidates: list[Candidate], y: np.ndarray, metric: Metric) -> EnsembleChoice:
    """Greedy selection with replacement, from the best of ``candidates``."""
    ranked = _ranked(candidates, metric)
    picks = [ranked[0][0]]
    total = ranked[0][2].astype(float).copy()
    best_score, best_round = ranked[0][1], 1
    for round_number in range(2, _ROUNDS + 1):
        scores = [safe_score(metric, y, (total + p) / round_number) for _, _, p in ranked]
        choice = _best_index(scores, metric)
        if choice is None:
            break
        picks.append(ranked[choice][0])
        total += ranked[choice][2]
        if metric.is_better(scores[choice], best_score):
            best_score, best_round = scores[choice], round_number
    return EnsembleChoice(dict(Counter(picks[:best_round])), float(best_score))


def _best_index(scores: list[float], metric: Metric) -> int | None:
    finite = [(s, i) for i, s in enumerate(scores) if np.isfinite(s)]
    if not finite:
        return None
    if metric.is_higher_better:
        return max(finite, key=lambda t: (t[0], -t[1]))[1]
    return min(finite)[1]


# --- stacking ---------------------------------------------------------------------------
# A simple meta-learner (logistic regression for classification, ridge for regression) on
# the out-of-fold predictions of the best few models. Its validation score is itself
# cross-validated over the validation rows, so it can be compared with the others fairly.

_STACK_MEMBERS = 5


@dataclass(frozen=True)
class StackChoice:
    members: list[int]  # trial numbers, best first
    val_score: float  # of the meta-learner's cross-validated predictions
    meta: Any  # fitted on every validation row
    predictions: np.ndarray  # the meta-learner's cross-validated predictions


def stack_features(predictions: list[np.ndarray], task: str) -> np.ndarray:
    """Meta-learner inputs: each member's prediction (positive-class probability for
    binary, every class's probability for multiclass, the value for regression)."""
    columns = []
    for p in predictions:
        p = np.asarray(p, dtype=float)
        if task == "classification":
            columns.append(p[:, 1:2] if p.shape[1] == 2 else p)
        else:
            columns.append(p.reshape(-1, 1))
    return np.hstack(columns)


def _meta_learner(task: str, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression, Ridge

    if task == "classification":
        return LogisticRegression(C=1.0, max_iter=500, random_state=seed)
    return Ridge(alpha=1.0)


def _meta_predict(meta: Any, features: np.ndarray, task: str, n_classes: int) -> np.ndarray:
    if task == "regression":
        return np.asarray(meta.predict(features), dtype=float)
    from modelyard.ml.automl.estimators import aligned_proba

    return aligned_proba(meta, features, n_classes)


def select_stack(
    candidates: list[tuple[int, float, np.ndarray]],
    y: np.ndarray,
    metric: Metric,
    *,
    task: str,
    n_classes: int,
    seed: int = 0,
) -> StackChoice | None:
    """Stack the best few candidates; None when there are fewer than two or it fails."""
    from sklearn.base import clone

    ranked = sorted(candidates, key=lambda c: c[1], reverse=metric.is_higher_better)
    ranked = ranked[:_STACK_MEMBERS]
    if len(ranked) < 2:
        return None
    features = stack_features([p for _, _, p in ranked], task)
    folds = _folds(y, task, seed)
    if not folds:
        return None
    is_classifier = task == "classification"
    shape = (len(y), n_classes) if is_classifier else (len(y),)
    pooled = np.zeros(shape)
    try:
        for train, val in folds:
            meta = clone(_meta_learner(task, seed)).fit(features[train], y[train])
            pooled[val] = _meta_predict(meta, features[val], task, n_classes)
        meta = _meta_learner(task, seed).fit(features, y)
    except ValueError:  # e.g. a fold with a single class
        return None
    score = safe_score(metric, y, pooled)
    if not np.isfinite(score):
        return None
    return StackChoice([n for n, _, _ in ranked], float(score), meta, pooled)


def _folds(y: np.ndarray, task: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Five shuffled folds of the validation rows (stratified for classification, fewer
    when a class has fewer rows); none when not even two are possible."""
    from sklearn.model_selection import KFold, StratifiedKFold

    is_classifier = task == "classification"
    counts = np.bincount(y.astype(int)) if is_classifier else np.array([len(y)])
    n_splits = int(min(_FOLDS, counts[counts > 0].min() if is_classifier else len(y)))
    if n_splits < 2:
        return []
    splitter = (
        StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        if is_classifier
        else KFold(n_splits, shuffle=True, random_state=seed)
    )
    return list(splitter.split(np.zeros((len(y), 1)), y))


# --- cross-check ------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossCheck:
    """Scores on validation rows the choice did not see: of picking the best single
    model, and of ensemble selection."""

    single: float
    ensemble: float
    n_folds: int
    single_sure: float  # share of bootstrap resamples of the rows where the single model wins

    @property
    def ensemble_wins(self) -> bool:
        """The ensemble, unless the single model wins clearly (in :data:`SINGLE_SURE` of
        the resamples)."""
        return self.single_sure < SINGLE_SURE


Trial = tuple[int, str, np.ndarray]  # trial number, family, validation predictions


def cross_check(
    trials: list[Trial], y: np.ndarray, metric: Metric, *, task: str, seed: int = 0
) -> CrossCheck | None:
    """Both ways to choose, made on four fifths of the validation rows (from the best
    :data:`KEEP_PER_FAMILY` of each family there) and scored on the fifth left out, pooled
    over the folds; None beyond :data:`CROSS_CHECK_MAX_ROWS` rows, with fewer than two
    trials, or when no fold split is possible."""
    if len(y) > CROSS_CHECK_MAX_ROWS or len(trials) < 2:
        return None
    folds = _folds(y, task, seed)
    if not folds:
        return None
    predictions = {number: np.asarray(p, dtype=float) for number, _, p in trials}
    families = {number: family for number, family, _ in trials}
    by_number = list(predictions.items())
    single, ensemble = np.zeros(by_number[0][1].shape), np.zeros(by_number[0][1].shape)
    for seen, unseen in folds:
        scored = [(n, safe_score(metric, y[seen], p[seen]), p[seen]) for n, p in by_number]
        ranked = sorted(
            (c for c in scored if np.isfinite(c[1])),
            key=lambda c: c[1],
            reverse=metric.is_higher_better,
        )
        if not ranked:
            return None
        candidates = best_per_family(ranked, lambda c: families[c[0]], KEEP_PER_FAMILY)
        single[unseen] = predictions[candidates[0][0]][unseen]
        weights = select_ensemble(candidates, y[seen], metric, seed=seed).weights
        held = {n: p[unseen] for n, p in predictions.items() if n in weights}
        ensemble[unseen] = weighted_average(held, weights)
    return CrossCheck(
        float(safe_score(metric, y, single)),
        float(safe_score(metric, y, ensemble)),
        len(folds),
        _share_better(single, ensemble, y, metric, seed=seed),
    )


def _share_better(
    first: np.ndarray, second: np.ndarray, y: np.ndarray, metric: Metric, *, seed: int
) -> float:
    """In what share of :data:`_RESAMPLES` bootstrap resamples of the rows ``first``
    scores better than ``second`` (equal scores are no win; resamples where either cannot
    be scored do not count)."""
    rng = np.random.default_rng(seed)
    wins = counted = 0
    for _ in range(_RESAMPLES):
        rows = rng.integers(0, len(y), len(y))
        a, b = safe_score(metric, y[rows], first[rows]), safe_score(metric, y[rows], second[rows])
        if np.isfinite(a) and np.isfinite(b):
            counted += 1
            wins += metric.is_better(a, b) and not np.isclose(a, b, rtol=1e-9, atol=1e-12)
    return wins / counted if counted else 0.0
