"""The held-out test split and the validation folds of the search.

All indices are row positions. The test rows are set aside first and never seen by the
search; the folds split the remaining (search) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from modelyard.errors import InvalidInputError
from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.targets import Task

Fold = tuple[np.ndarray, np.ndarray]
HOLDOUT_ROWS = 50_000
THREE_FOLD_ROWS = 5_000


@dataclass(frozen=True)
class ValidationPlan:
    kind: str
    n_folds: int
    reason: str


@dataclass(frozen=True)
class Splits:
    search: np.ndarray
    test: np.ndarray
    folds: list[Fold]  # positions within the search rows
    plan: ValidationPlan

    @property
    def validation_rows(self) -> np.ndarray:
        """Search-row positions that are predicted out of fold (sorted, no repeats)."""
        return np.unique(np.concatenate([va for _, va in self.folds]))


def plan_validation(config: AutoMLConfig, n_rows: int, task: Task) -> ValidationPlan:
    """The validation strategy for this data, with a one-line reason."""
    if config.validation != "auto":
        folds = 1 if config.validation == "holdout" else config.n_folds
        return ValidationPlan(config.validation, folds, "chosen in the configuration")
    if config.time_column:
        return ValidationPlan(
            "timeseries", config.n_folds, f"rows are ordered by {config.time_column!r}"
        )
    if config.group_column:
        reason = f"rows of one {config.group_column!r} stay on one side of every split"
        return ValidationPlan("group_kfold", config.n_folds, reason)
    if n_rows > HOLDOUT_ROWS:
        reason = f"{n_rows:,} rows: one 20% validation split is reliable and k times cheaper"
        return ValidationPlan("holdout", 1, reason)
    kind = "stratified_kfold" if task == "classification" else "kfold"
    folds = config.n_folds if n_rows <= THREE_FOLD_ROWS else min(config.n_folds, 3)
    strat = ", stratified by class" if task == "classification" else ""
    reason = f"{n_rows:,} rows: every row serves in validation once ({folds} folds{strat})"
    return ValidationPlan(kind, folds, reason)


def make_splits(rows: pd.DataFrame, y: np.ndarray, task: Task, *, config: AutoMLConfig) -> Splits:
    """Hold out the test rows, then fold the rest as the plan says."""
    search, test = _test_split(rows, y, task, config=config)
    plan = plan_validation(config, len(search), task)
    _check_enough_rows(len(search), plan, config, search_rows=rows.iloc[search])
    folds = _folds(rows.iloc[search], y[search], plan, config=config)
    return Splits(search=search, test=test, folds=folds, plan=plan)


def _test_split(
    rows: pd.DataFrame, y: np.ndarray, task: Task, *, config: AutoMLConfig
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    positions = np.arange(len(rows))
    if config.time_column:
        order = np.argsort(rows[config.time_column].to_numpy(), kind="stable")
        n_test = max(1, round(len(rows) * config.test_size))
        return order[:-n_test], order[-n_test:]
    if config.group_column:
        splitter = GroupShuffleSplit(1, test_size=config.test_size, random_state=config.seed)
        groups = rows[config.group_column].astype(str).to_numpy()
        search, test = next(splitter.split(positions, y, groups))
        return search, test
    counts = np.bincount(y.astype(int)) if task == "classification" else None
    stratify = y if counts is not None and counts.min() >= 2 else None
    search, test = train_test_split(
        positions, test_size=config.test_size, random_state=config.seed, stratify=stratify
    )
    return np.sort(search), np.sort(test)


def _check_enough_rows(
    n_search: int, plan: ValidationPlan, config: AutoMLConfig, *, search_rows: pd.DataFrame
) -> None:
    if plan.kind == "holdout":
        needed, unit, have = 2, "rows", n_search
    elif plan.kind == "group_kfold":
        needed, unit = plan.n_folds, f"distinct {config.group_column!r} groups"
        have = search_rows[config.group_column].nunique()
    else:
        needed, unit, have = plan.n_folds + (plan.kind == "timeseries"), "rows", n_search
    if have < needed:
        raise InvalidInputError(
            f"Validation {plan.kind!r} with {plan.n_folds} folds needs at least {needed} "
            f"{unit} after the {config.test_size:.0%} test split, but only {have} remain. "
            "Lower n_folds, use validation='holdout', or add rows.",
            code="training.too_few_rows_for_folds",
            details={"needed": int(needed), "available": int(have), "n_folds": plan.n_folds},
        )


def _folds(
    rows: pd.DataFrame, y: np.ndarray, plan: ValidationPlan, *, config: AutoMLConfig
) -> list[Fold]:
    from sklearn import model_selection as ms

    positions = np.arange(len(rows))
    seed, k = config.seed, plan.n_folds
    if plan.kind == "holdout":
        counts = np.bincount(y.astype(int)) if y.dtype.kind in "iu" else None
        is_stratified = counts is not None and counts.min() >= 2
        train, val = ms.train_test_split(
            positions, test_size=0.2, random_state=seed, stratify=y if is_stratified else None
        )
        return [(np.sort(train), np.sort(val))]
    if plan.kind == "timeseries":
        order = np.argsort(rows[config.time_column].to_numpy(), kind="stable")
        return [(order[tr], order[va]) for tr, va in ms.TimeSeriesSplit(k).split(order)]
    if plan.kind == "group_kfold":
        groups = rows[config.group_column].astype(str).to_numpy()
        return list(ms.GroupKFold(k).split(positions, y, groups))
    if plan.kind == "stratified_kfold" and y.dtype.kind in "iu":
        return list(ms.StratifiedKFold(k, shuffle=True, random_state=seed).split(positions, y))
    return list(ms.KFold(k, shuffle=True, random_state=seed).split(positions))
