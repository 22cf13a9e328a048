"""Fitting a search to the memory limit before it starts (see :mod:`resources`)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from modelyard.ml.automl.columns import classify_columns
from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.recommend import DataProfile, choose_families
from modelyard.ml.automl.resources import (
    MemoryPlan,
    default_memory_limit_gb,
    plan_memory,
    shape_of,
    stratified_sample,
)

if TYPE_CHECKING:
    from modelyard.ml.automl.engine import _Problem


def candidate_families(config: AutoMLConfig, n_rows: int, n_features: int) -> list[str]:
    if config.families:
        return list(config.families)
    profile = DataProfile(n_rows, 0, n_features, {}, 0.0, 0)
    return [s.value for s in choose_families(profile)[0]]


def fit_to_memory(problem: _Problem, config: AutoMLConfig) -> tuple[_Problem, MemoryPlan]:
    """The problem on the rows that fit, and the plan (families kept, notes)."""
    kinds = classify_columns(problem.rows[problem.features])
    shape = shape_of(
        problem.rows,
        problem.features,
        kinds,
        n_classes=len(problem.classes or []),
        test_size=config.test_size,
    )
    search_rows = int(len(problem.rows) * (1 - config.test_size))
    families = candidate_families(config, search_rows, len(problem.features))
    plan = plan_memory(
        shape,
        families,
        n_folds=config.n_folds,
        limit_gb=config.memory_limit_gb or default_memory_limit_gb(),
        parallel_trials=config.parallel_trials,
    )
    if plan.downsampled_from is None:
        return problem, plan
    keep = stratified_sample(
        problem.y,
        plan.n_rows,
        seed=config.seed,
        stratify=problem.task == "classification",
    )
    smaller = dataclasses.replace(
        problem,
        rows=problem.rows.iloc[keep].reset_index(drop=True),
        y=problem.y[keep],
        labels=problem.labels.iloc[keep].reset_index(drop=True),
    )
    return smaller, plan
