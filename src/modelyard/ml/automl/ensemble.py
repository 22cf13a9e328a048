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
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from modelyard.ml.automl.metrics import Metric
from modelyard.ml.automl.trials import safe_score

_MAX_CANDIDATES = 20
_ROUNDS = 20
_BAGS = 20
_BAG_SHARE = 0.5
_MIN_BAGGED = 10  # fewer: plain greedy selection (half of a few leaves out the good ones)


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
_STACK_FOLDS = 5


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
    from sklearn.model_selection import KFold, StratifiedKFold

    ranked = sorted(candidates, key=lambda c: c[1], reverse=metric.is_higher_better)
    ranked = ranked[:_STACK_MEMBERS]
    if len(ranked) < 2:
        return None
    features = stack_features([p for _, _, p in ranked], task)
    is_classifier = task == "classification"
    counts = np.bincount(y.astype(int)) if is_classifier else np.array([len(y)])
    n_splits = int(min(_STACK_FOLDS, counts[counts > 0].min() if is_classifier else len(y)))
    if n_splits < 2:
        return None
    splitter = (
        StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        if is_classifier
        else KFold(n_splits, shuffle=True, random_state=seed)
    )
    shape = (len(y), n_classes) if is_classifier else (len(y),)
    pooled = np.zeros(shape)
    try:
        for train, val in splitter.split(features, y):
            meta = clone(_meta_learner(task, seed)).fit(features[train], y[train])
            pooled[val] = _meta_predict(meta, features[val], task, n_classes)
        meta = _meta_learner(task, seed).fit(features, y)
    except ValueError:  # e.g. a fold with a single class
        return None
    score = safe_score(metric, y, pooled)
    if not np.isfinite(score):
        return None
    return StackChoice([n for n, _, _ in ranked], float(score), meta, pooled)
