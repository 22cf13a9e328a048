"""Preprocessing, imbalance, threshold and feature-selection options of a search.

Every option defaults to the search's own choice (``auto`` / ``none``), which keeps the
default behaviour; each explicit choice is carried inside the saved model pipeline.
See docs/preprocessing.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

IMPUTATIONS: tuple[str, ...] = (
    "auto",
    "mean",
    "median",
    "most_frequent",
    "constant",
    "knn",
    "iterative",
)
SCALINGS: tuple[str, ...] = ("auto", "standard", "robust", "minmax", "none")
ENCODINGS: tuple[str, ...] = ("auto", "onehot", "ordinal", "target")
INTERACTIONS: tuple[str, ...] = ("none", "always", "search")
RESAMPLINGS: tuple[str, ...] = ("none", "oversample", "undersample", "smote")
THRESHOLD_METRICS: tuple[str, ...] = (
    "f1",
    "balanced_accuracy",
    "accuracy",
    "precision",
    "recall",
    "mcc",
)
SELECTION_METHODS: tuple[str, ...] = (
    "variance",
    "mutual_info",
    "rfe",
    "l1",
    "tree_importance",
    "permutation",
    "neural",
)
FEATURE_SELECTIONS: tuple[str, ...] = ("none", "auto", *SELECTION_METHODS)


@dataclass(frozen=True)
class PrepOptions:
    """The options that shape the pipeline (not the search): see the module docstring."""

    imputation: str = "auto"
    scaling: str = "auto"
    encoding: str = "auto"
    interactions: str = "none"
    resampling: str = "none"
    feature_selection: str = "none"
    max_features: int | None = None
    seed: int = 0

    @property
    def is_default(self) -> bool:
        """True when the column preprocessing is the search's own (auto, no selection)."""
        return (self.imputation, self.scaling, self.encoding, self.feature_selection) == (
            "auto",
            "auto",
            "auto",
            "none",
        )


def option_problems(
    *,
    imputation: str,
    scaling: str,
    encoding: str,
    interactions: str,
    resampling: str,
    feature_selection: str,
    max_features: int | None,
    threshold_metric: str | None,
    cost_matrix: Any,
) -> list[str]:
    """What is wrong with these option values, each naming the valid values."""
    choices = [
        ("imputation", imputation, IMPUTATIONS),
        ("scaling", scaling, SCALINGS),
        ("encoding", encoding, ENCODINGS),
        ("interactions", interactions, INTERACTIONS),
        ("resampling", resampling, RESAMPLINGS),
        ("feature_selection", feature_selection, FEATURE_SELECTIONS),
    ]
    problems = [
        f"{name} {value!r} is not one of {', '.join(valid)}"
        for name, value, valid in choices
        if value not in valid
    ]
    if threshold_metric is not None and threshold_metric not in THRESHOLD_METRICS:
        problems.append(
            f"threshold_metric {threshold_metric!r} is not one of {', '.join(THRESHOLD_METRICS)}"
        )
    if max_features is not None and max_features < 1:
        problems.append("max_features must be at least 1")
    if cost_matrix is not None:
        problem = cost_matrix_problem(cost_matrix)
        if problem:
            problems.append(problem)
        elif threshold_metric is not None:
            problems.append("give threshold_metric or cost_matrix, not both")
    return problems


def cost_matrix_problem(cost_matrix: Any) -> str:
    """Why a cost matrix is not ``[[tn_cost, fp_cost], [fn_cost, tp_cost]]`` ('' if it is)."""
    shape_ok = (
        isinstance(cost_matrix, list | tuple)
        and len(cost_matrix) == 2
        and all(isinstance(row, list | tuple) and len(row) == 2 for row in cost_matrix)
    )
    if not shape_ok:
        return "cost_matrix must be [[tn_cost, fp_cost], [fn_cost, tp_cost]] (2 x 2 numbers)"
    values = [v for row in cost_matrix for v in row]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return "cost_matrix must hold finite numbers"
    (tn, fp), (fn, tp) = cost_matrix
    if fp <= tn or fn <= tp:
        return "cost_matrix: a wrong answer must cost more than a right one (fp > tn, fn > tp)"
    return ""
