"""Greedy ensemble selection (Caruana et al., 2004) on out-of-fold predictions.

Starting from the best model, each round adds (with replacement) the candidate whose
inclusion gives the best score of the averaged predictions; the weights are how often
each model was picked, taken at the best round. Classification averages probabilities.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from modelyard.ml.automl.metrics import Metric
from modelyard.ml.automl.trials import safe_score

_MAX_CANDIDATES = 20
_ROUNDS = 20


@dataclass(frozen=True)
class EnsembleChoice:
    weights: dict[int, int]  # trial number -> times picked
    val_score: float

    @property
    def is_single(self) -> bool:
        return len(self.weights) < 2


def select_ensemble(
    candidates: list[tuple[int, float, np.ndarray]], y: np.ndarray, metric: Metric
) -> EnsembleChoice:
    """``candidates`` are (trial number, validation score, validation predictions)."""
    ranked = sorted(candidates, key=lambda c: c[1], reverse=metric.is_higher_better)
    ranked = ranked[:_MAX_CANDIDATES]
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
