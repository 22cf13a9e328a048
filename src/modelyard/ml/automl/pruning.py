"""Which pruner a search uses, and the data-fraction rungs of successive halving.

Up to ``HALVING_ROWS`` search rows, validation has several folds and a trial reports its
running score after each; a median pruner stops those below the median of earlier trials
(as before). Above it, validation is a single holdout split, so there is nothing between
folds to prune on: boosting families (LightGBM, XGBoost, CatBoost, HistGradientBoosting)
are then first fitted on 1/9 and 1/3 of the training rows, and Optuna's successive
halving pruner keeps only the best third at each rung going on to the full rows. A bad
configuration is stopped after ~11% of its cost; a good one pays ~44% extra. The first
boosting trial (the default configuration) has nothing to be compared with and is fitted
at once. Other families keep the median pruner.
"""

from __future__ import annotations

from typing import Any

HALVING_ROWS = 50_000
BOOSTING = frozenset({"lightgbm", "xgboost", "catboost", "hist_gradient_boosting"})
RUNGS: tuple[tuple[float, int], ...] = ((1 / 9, 1), (1 / 3, 3))  # (share of rows, step)
FULL_STEP = 9  # the step the full fit reports at when rungs are used
MIN_RUNG_ROWS = 2_000


def uses_halving(n_rows: int, n_folds: int) -> bool:
    return n_rows > HALVING_ROWS and n_folds == 1


def rungs_for(family: str, n_rows: int, n_folds: int) -> tuple[tuple[float, int], ...]:
    """The data-fraction rungs a trial of ``family`` goes through (none: fit at once)."""
    return RUNGS if family in BOOSTING and uses_halving(n_rows, n_folds) else ()


def make_pruner(n_rows: int, n_folds: int) -> Any:
    import optuna

    median = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    if not uses_halving(n_rows, n_folds):
        return median
    halving = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    return FamilyPruner(halving, median)


class FamilyPruner:
    """Successive halving for boosting trials, another pruner for the rest."""

    def __init__(self, boosting: Any, other: Any) -> None:
        self.boosting, self.other = boosting, other

    def prune(self, study: Any, trial: Any) -> bool:
        family = trial.params.get("family")
        chosen = self.boosting if family in BOOSTING else self.other
        return bool(chosen.prune(study, trial))
