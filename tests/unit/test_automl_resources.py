import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from modelyard.errors import InvalidInputError
from modelyard.ml.automl import AutoMLConfig, fit_automl
from modelyard.ml.automl.columns import classify_columns
from modelyard.ml.automl.resources import (
    GB,
    Shape,
    estimate_memory,
    plan_memory,
    shape_of,
    stratified_sample,
)

FAMILIES = ["lightgbm", "linear", "random_forest", "extra_trees", "knn"]


def shape(n_rows=1_000_000, width=50):
    return Shape(
        n_rows=n_rows, table_bytes=n_rows * width * 8, row_bytes=width * 8.0, encoded_width=width
    )


@pytest.mark.parametrize("change", ["n_rows", "encoded_width", "folds", "families", "parallel"])
def test_the_estimate_grows_with_rows_width_folds_families_and_parallel_trials(change):
    base = {"n_rows": 100_000, "width": 30, "folds": 2, "families": ["lightgbm"], "parallel": 1}
    bigger = dict(base)
    bigger.update(
        {
            "n_rows": {"n_rows": 400_000},
            "encoded_width": {"width": 120},
            "folds": {"folds": 5},
            "families": {"families": ["lightgbm", "extra_trees"]},
            "parallel": {"parallel": 3},
        }[change]
    )

    def total(p):
        return estimate_memory(
            shape(p["n_rows"], p["width"]),
            p["families"],
            n_folds=p["folds"],
            parallel_trials=p["parallel"],
        ).total_bytes

    assert total(bigger) > total(base)
    rows = [
        estimate_memory(shape(), ["lightgbm"], n_folds=5, n_rows=n).total_bytes
        for n in (1_000, 10_000, 100_000, 1_000_000)
    ]
    assert rows == sorted(rows)


def test_a_search_that_fits_goes_ahead_unchanged():
    plan = plan_memory(shape(10_000, 20), FAMILIES, n_folds=5, limit_gb=8)
    assert plan.families == FAMILIES and plan.n_rows == 10_000
    assert plan.downsampled_from is None and not plan.dropped_families
    assert "memory estimate" in plan.notes[0] and "limit 8.0 GB" in plan.notes[0]


def test_hungry_families_are_dropped_before_any_row():
    full = estimate_memory(shape(), FAMILIES, n_folds=3).total_gb
    lean = estimate_memory(shape(), ["lightgbm", "linear"], n_folds=3).total_gb
    plan = plan_memory(shape(), FAMILIES, n_folds=3, limit_gb=(full + lean) / 2)
    assert plan.n_rows == 1_000_000 and plan.downsampled_from is None
    assert "extra_trees" in plan.dropped_families and "lightgbm" in plan.families
    assert plan.estimate.total_bytes <= plan.limit_bytes


def test_rows_are_downsampled_when_dropping_families_is_not_enough():
    plan = plan_memory(shape(), FAMILIES, n_folds=5, limit_gb=2.5)
    assert plan.families == ["lightgbm", "linear"]
    assert plan.downsampled_from == 1_000_000 and 1_000 <= plan.n_rows < 1_000_000
    assert plan.estimate.total_bytes <= 2.5 * GB
    assert f"downsampled 1,000,000 -> {plan.n_rows:,} rows to fit 2.5 GB" in plan.notes[-1]


def test_a_search_that_cannot_fit_at_all_is_refused_with_the_reason():
    with pytest.raises(InvalidInputError) as caught:
        plan_memory(shape(), FAMILIES, n_folds=5, limit_gb=0.5)
    assert caught.value.code == "automl.memory_insufficient"
    assert "memory_limit_gb" in caught.value.message and "GB" in caught.value.message


def test_stratified_sample_keeps_class_shares_and_rare_classes():
    y = np.array([0] * 9_000 + [1] * 990 + [2] * 10)
    picked = stratified_sample(y, 1_000, seed=0, stratify=True)
    counts = np.bincount(y[picked])
    assert abs(counts[0] - 900) <= 2 and abs(counts[1] - 99) <= 2 and counts[2] >= 2
    assert list(picked) == sorted(set(picked))


def test_shape_counts_one_hot_levels_in_the_encoded_width():
    frame = pd.DataFrame({"a": np.arange(100.0), "plan": ["x", "y", "z", "w"] * 25})
    kinds = classify_columns(frame)
    assert shape_of(frame, ["a", "plan"], kinds).encoded_width == 5


def test_a_search_over_the_memory_limit_is_downsampled_and_says_so():
    X, y = make_classification(n_samples=6_000, n_features=8, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    frame["y"] = y
    config = AutoMLConfig(
        time_budget_s=20,
        max_trials=2,
        families=("lightgbm", "extra_trees"),
        n_jobs=1,
        memory_limit_gb=0.5 + 0.6,
    )
    base = estimate_memory(
        shape_of(frame, list(frame.columns[:8]), classify_columns(frame.iloc[:, :8])),
        ["lightgbm"],
        n_folds=5,
        n_rows=0,
    ).total_gb
    config = AutoMLConfig(**{**config.__dict__, "memory_limit_gb": base + 0.0015})
    result = fit_automl(frame, "y", config)
    assert result.downsampled_from == 6_000 and result.n_train + result.n_test < 6_000
    assert {r.family for r in result.leaderboard} == {"lightgbm"}
    assert any(note.startswith("downsampled 6,000 -> ") for note in result.notes)
    assert result.memory_estimate_gb is not None


def test_the_recommendation_shows_the_memory_estimate():
    from modelyard.ml.automl import recommend

    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(y=y)
    advice = recommend(frame, "y", memory_limit_gb=4)
    assert advice.memory is not None and advice.memory.value.endswith("GB of 4.0 GB")
    assert "memory estimate" in advice.memory.reason
    assert any(line.startswith("memory ~") for line in advice.lines())
    refused = recommend(frame, "y", memory_limit_gb=0.1)
    assert refused.memory is not None and refused.memory.value == "will not fit"


def test_opening_trials_go_cheapest_first_at_the_data_size():
    from modelyard.ml.automl.families import FAMILIES
    from modelyard.ml.automl.search import opening_order

    families = [FAMILIES[n] for n in ("decision_tree", "xgboost", "extra_trees", "linear")]
    families.append(FAMILIES["lightgbm"])
    small = [f.name for f in opening_order(families, 1_000)]
    assert small == ["lightgbm", "linear", "decision_tree", "xgboost", "extra_trees"]
    large = [f.name for f in opening_order(families, 500_000)]
    assert large == ["lightgbm", "linear", "xgboost", "decision_tree", "extra_trees"]
