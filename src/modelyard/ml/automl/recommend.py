"""Recommendations read from the data: task, metric, families, validation, budget, notes.

Every suggestion carries a one-line reason a user can read, and the whole recommendation
turns into an :class:`AutoMLConfig` (with any edits) through :meth:`Recommendation.to_config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from modelyard.ml.automl.columns import ColumnKinds, classify_columns, screen_features
from modelyard.ml.automl.config import AutoMLConfig
from modelyard.ml.automl.families import (
    BATCH_NORM_MIN_FEATURES,
    EXTRA_TREES_MAX_ROWS,
    FAMILIES,
    available_families,
)
from modelyard.ml.automl.targets import Task, check_target, labelled_rows, resolve_task
from modelyard.ml.automl.validation import plan_validation

T = TypeVar("T")
KNN_MAX_ROWS = 100_000
NETWORK_MIN_ROWS = 1_000
NETWORKS = ("mlp", "tabular_transformer")
_FAMILY_REASONS = {
    "lightgbm": "fast gradient boosting; usually the strongest learner on tables",
    "linear": "elastic-net linear model: a fast baseline, strong when effects add up",
    "extra_trees": "randomised trees: robust defaults, little tuning needed",
    "xgboost": "gradient boosting with depth-wise trees; a strong second opinion",
    "random_forest": "bagged trees: hard to overfit, good ensemble member",
    "hist_gradient_boosting": "scikit-learn's gradient boosting: native missing values",
    "catboost": "ordered boosting: strong on small data and categorical columns",
    "knn": "nearest neighbours: captures local structure the others miss",
    "decision_tree": "one readable tree: a cheap, explainable baseline",
    "mlp": "a neural network (PyTorch): smooth functions of many numeric columns",
    "tabular_transformer": "attention across features (PyTorch): interactions trees split up",
}


@dataclass(frozen=True)
class Suggestion(Generic[T]):
    value: T
    reason: str

    def __str__(self) -> str:
        return f"{self.value}: {self.reason}"


@dataclass(frozen=True)
class DataProfile:
    n_rows: int
    n_columns: int
    n_features: int
    column_kinds: dict[str, int]
    missing_share: float
    max_cardinality: int
    n_classes: int | None = None
    minority_share: float | None = None
    target_skew: float | None = None


@dataclass(frozen=True)
class Recommendation:
    target: str
    profile: DataProfile
    task: Suggestion[Task]
    metric: Suggestion[str]
    families: tuple[Suggestion[str], ...]
    excluded_families: tuple[Suggestion[str], ...]
    validation: Suggestion[str]
    n_folds: int
    time_budget_s: Suggestion[float]
    hyperparameters: tuple[Suggestion[str], ...]
    dropped_columns: dict[str, str] = field(default_factory=dict)
    group_column: str | None = None
    time_column: str | None = None
    preprocessing: tuple[Suggestion[str], ...] = ()  # option values, each with a reason
    memory: Suggestion[str] | None = None  # the search's estimated peak memory vs the limit

    def to_config(self, **changes: Any) -> AutoMLConfig:
        """The configuration this recommends, with any field replaced by ``changes``."""
        config = AutoMLConfig(
            time_budget_s=self.time_budget_s.value,
            task=self.task.value,
            metric=self.metric.value,
            families=tuple(f.value for f in self.families),
            n_folds=max(2, self.n_folds),
            group_column=self.group_column,
            time_column=self.time_column,
        )
        return replace(config, **changes)

    def lines(self) -> list[str]:
        """The recommendation as short sentences, one per decision."""
        out = [f"task {self.task}", f"metric {self.metric}", f"validation {self.validation}"]
        out.append(f"time budget {self.time_budget_s}")
        out += [f"family {s}" for s in self.families]
        out += [f"not used {s}" for s in self.excluded_families]
        out += [f"hyperparameters {s}" for s in self.hyperparameters]
        out += [f"drop {c!r}: {r}" for c, r in self.dropped_columns.items()]
        out += [f"preprocessing {s}" for s in self.preprocessing]
        out += [f"memory {self.memory}"] if self.memory is not None else []
        return out


def recommend(
    df: pd.DataFrame,
    target: str,
    *,
    group_column: str | None = None,
    time_column: str | None = None,
    memory_limit_gb: float | None = None,
) -> Recommendation:
    """Read the data's characteristics and propose how to search, each with a reason."""
    check_target(df, target)
    rows = labelled_rows(df, target)
    y = rows[target]
    task = resolve_task(y, target)
    reserved = tuple(c for c in (group_column,) if c)
    features, dropped = screen_features(rows, target, task, reserved=reserved)
    kinds = classify_columns(rows[features])
    profile = _profile(rows, target, task, features=features, kinds=kinds)
    config = AutoMLConfig(group_column=group_column, time_column=time_column)
    plan = plan_validation(config, int(len(rows) * (1 - config.test_size)), task)
    included, excluded = choose_families(profile)
    from modelyard.ml.automl.recommend_prep import preprocessing_suggestions

    preprocessing = preprocessing_suggestions(rows[features], profile, kinds, task)
    return Recommendation(
        target=target,
        profile=profile,
        task=Suggestion(task, _task_reason(y, task)),
        metric=choose_metric(profile, task),
        families=included,
        excluded_families=excluded,
        validation=Suggestion(plan.kind, plan.reason),
        n_folds=plan.n_folds,
        time_budget_s=choose_budget(profile),
        hyperparameters=_hyperparameter_notes(profile, kinds, task),
        dropped_columns=dropped,
        group_column=group_column,
        time_column=time_column,
        preprocessing=preprocessing,
        memory=_memory(rows, features, kinds, profile, included, plan.n_folds, memory_limit_gb),
    )


def _memory(
    rows: pd.DataFrame,
    features: list[str],
    kinds: ColumnKinds,
    profile: DataProfile,
    families: tuple[Suggestion[str], ...],
    n_folds: int,
    limit_gb: float | None,
) -> Suggestion[str]:
    """The estimated peak memory, and what the search will do about the limit."""
    from modelyard.errors import InvalidInputError
    from modelyard.ml.automl.resources import default_memory_limit_gb, plan_memory, shape_of

    shape = shape_of(rows, features, kinds, n_classes=profile.n_classes or 0)
    limit = limit_gb or default_memory_limit_gb()
    names = [f.value for f in families]
    try:
        plan = plan_memory(shape, names, n_folds=max(n_folds, 1), limit_gb=limit)
    except InvalidInputError as exc:
        return Suggestion("will not fit", exc.message)
    return Suggestion(f"~{plan.estimate.total_gb:.2f} GB of {limit:.1f} GB", "; ".join(plan.notes))


def _profile(
    rows: pd.DataFrame, target: str, task: Task, *, features: list[str], kinds: ColumnKinds
) -> DataProfile:
    X, y = rows[features], rows[target]
    non_numeric = [c for c in features if c not in kinds.numeric]
    cardinality = max((int(X[c].nunique()) for c in non_numeric), default=0)
    counts = y.value_counts() if task == "classification" else None
    skew = float(pd.to_numeric(y).skew()) if task == "regression" else None
    return DataProfile(
        n_rows=len(rows),
        n_columns=len(rows.columns),
        n_features=len(features),
        column_kinds=kinds.counts(),
        missing_share=float(X.isna().to_numpy().mean()) if features else 0.0,
        max_cardinality=cardinality,
        n_classes=int(len(counts)) if counts is not None else None,
        minority_share=float(counts.min() / counts.sum()) if counts is not None else None,
        target_skew=skew if skew is None or np.isfinite(skew) else 0.0,
    )


def _task_reason(y: pd.Series, task: Task) -> str:
    n_unique = y.nunique()
    if task == "regression":
        return f"numeric target with {n_unique:,} distinct values: a quantity to predict"
    kind = "numeric" if pd.api.types.is_numeric_dtype(y) else "text"
    return f"{kind} target with {n_unique} distinct values: labels to predict"


def choose_metric(profile: DataProfile, task: Task) -> Suggestion[str]:
    if task == "regression":
        skew = profile.target_skew or 0.0
        if abs(skew) > 3:
            reason = f"target is heavy-tailed (skew {skew:.1f}); MAE is not ruled by a few rows"
            return Suggestion("mae", reason)
        return Suggestion("rmse", "numeric target; RMSE is in its units and punishes big misses")
    share = profile.minority_share or 0.0
    if profile.n_classes == 2 and share < 0.05:
        reason = (
            f"binary target with {share:.1%} positives; PR AUC shows how the rare class is found"
        )
        return Suggestion("pr_auc", reason)
    if profile.n_classes == 2:
        reason = f"binary target with {share:.0%} in the smaller class; AUC ignores the threshold"
        return Suggestion("roc_auc", reason)
    reason = (
        f"{profile.n_classes} classes; log loss rewards calibrated probabilities and separates "
        "close models better than accuracy"
    )
    return Suggestion("log_loss", reason)


def choose_families(
    profile: DataProfile,
) -> tuple[tuple[Suggestion[str], ...], tuple[Suggestion[str], ...]]:
    included, excluded = [], []
    for name in FAMILIES:
        if name not in available_families():
            extra = " (the dl extra)" if name in NETWORKS else ""
            excluded.append(Suggestion(name, f"{FAMILIES[name].requires} is not installed{extra}"))
        elif name in NETWORKS and profile.n_rows < NETWORK_MIN_ROWS:
            reason = f"{profile.n_rows:,} rows are too few for a network to beat trees"
            excluded.append(Suggestion(name, reason))
        elif name == "svm":
            excluded.append(Suggestion(name, _svm_reason(profile)))
        elif name == "knn" and profile.n_rows > KNN_MAX_ROWS:
            reason = f"k-NN predicts slowly against {profile.n_rows:,} reference rows"
            excluded.append(Suggestion(name, reason))
        else:
            included.append(Suggestion(name, _FAMILY_REASONS.get(name, "available")))
    return tuple(included), tuple(excluded)


def _svm_reason(profile: DataProfile) -> str:
    from modelyard.ml.automl.families import SVM_MAX_ROWS

    if profile.n_rows > SVM_MAX_ROWS:
        return f"{profile.n_rows:,} rows: an SVM's fit time grows with the square of the rows"
    return "searched only when asked for (families=svm): rarely beats boosting on tables"


def choose_budget(profile: DataProfile) -> Suggestion[float]:
    cells = profile.n_rows * max(profile.n_features, 1)
    steps = ((50_000, 30.0), (1_000_000, 60.0), (10_000_000, 300.0))
    budget = next((seconds for limit, seconds in steps if cells <= limit), 900.0)
    size = f"{profile.n_rows:,} rows x {profile.n_features} features"
    return Suggestion(budget, f"{size}: enough for dozens of trials at this size")


def _hyperparameter_notes(
    profile: DataProfile, kinds: ColumnKinds, task: Task
) -> tuple[Suggestion[str], ...]:
    notes: list[Suggestion[str]] = []
    share = profile.minority_share
    if task == "classification" and share is not None and share < 0.2:
        why = f"{share:.0%} of rows in the smallest class; weighting it can lift recall and AUC"
        notes.append(Suggestion("class_weight searched over none and 'balanced'", why))
    if kinds.high_cardinality:
        why = (
            f"{len(kinds.high_cardinality)} column(s) with more than 15 levels: one-hot is too wide"
        )
        notes.append(Suggestion("target encoding (cross-fitted) for many-level columns", why))
    if profile.missing_share > 0:
        why = f"{profile.missing_share:.1%} of feature cells are missing"
        what = "missing values: native in trees, else the median of the row's group + indicator"
        notes.append(Suggestion(what, why))
    if profile.n_rows <= EXTRA_TREES_MAX_ROWS:
        why = f"{profile.n_rows:,} rows: random split thresholds smooth boosted trees on small data"
        notes.append(Suggestion("LightGBM starts from extra trees (random split thresholds)", why))
    if profile.n_features >= BATCH_NORM_MIN_FEATURES and "mlp" in available_families():
        why = f"{profile.n_features} features: it steadied the network on wide benchmark tables"
        notes.append(Suggestion("the MLP starts with batch norm in each hidden layer", why))
    if profile.n_rows < 1_000:
        why = f"only {profile.n_rows} rows: small leaves and strong regularisation both tried"
        notes.append(Suggestion("leaf sizes searched from 2 rows, L1/L2 up to 10", why))
    if kinds.datetime:
        why = f"{len(kinds.datetime)} date/time column(s): seasonality and trend become usable"
        notes.append(Suggestion("dates expanded to year, month, day, weekday, hour", why))
    if kinds.text:
        why = f"{len(kinds.text)} free-text column(s)"
        notes.append(Suggestion("TF-IDF (100 terms) per text column", why))
    return tuple(notes)
