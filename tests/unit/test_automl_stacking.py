import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from modelyard.ml.automl import AutoMLConfig, fit_automl
from modelyard.ml.automl.ensemble import (
    CROSS_CHECK_MAX_ROWS,
    cross_check,
    cross_check_scores,
    kept_per_family,
    select_ensemble,
    select_stack,
    selection_scores,
    stack_features,
)
from modelyard.ml.automl.estimators import LabelEncodedClassifier, StackedModel
from modelyard.ml.automl.metrics import METRICS, Metric


def test_stacking_learns_to_weigh_complementary_regressors():
    rng = np.random.default_rng(0)
    y = rng.normal(size=400)
    good, biased, noisy = y + 0.3 * rng.normal(size=400), 2 * y + 1, y + rng.normal(size=400)
    rmse = METRICS["rmse"]
    candidates = [(i, rmse.score(y, p), p) for i, p in enumerate([good, biased, noisy])]
    stack = select_stack(candidates, y, rmse, task="regression", n_classes=0)
    assert stack is not None and stack.val_score < min(c[1] for c in candidates)
    assert stack.members[0] == 0  # best first
    # averaging cannot undo the bias; a ridge meta-learner can
    assert rmse.is_better(stack.val_score, select_ensemble(candidates, y, rmse).val_score)


def test_stacking_needs_two_models():
    y = np.array([0, 1] * 50)
    proba = np.column_stack([1 - y * 0.8, y * 0.8])
    candidates = [(0, 0.9, proba)]
    assert (
        select_stack(candidates, y, METRICS["roc_auc"], task="classification", n_classes=2) is None
    )


def test_stack_features_take_the_positive_class_for_binary_and_all_for_multiclass():
    binary, multi = np.full((3, 2), 0.5), np.full((3, 3), 1 / 3)
    assert stack_features([binary, binary], "classification").shape == (3, 2)
    assert stack_features([multi, binary], "classification").shape == (3, 4)


def test_a_stacked_model_refits_its_members_and_keeps_its_meta_learner():
    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    members = [LogisticRegression(), DecisionTreeClassifier(max_depth=3, random_state=0)]
    oof = [m.fit(X, y).predict_proba(X) for m in members]
    meta = FrozenEstimator(LogisticRegression().fit(stack_features(oof, "classification"), y))
    labels = np.where(y == 1, "yes", "no")
    model = LabelEncodedClassifier(StackedModel(members, meta, "classification", 2)).fit(X, labels)
    model = cloudpickle.loads(cloudpickle.dumps(model))
    assert set(model.predict(X)) <= {"yes", "no"} and (model.predict(X) == labels).mean() > 0.8
    assert np.allclose(model.predict_proba(X).sum(axis=1), 1)
    regressor = StackedModel(
        [LinearRegression()], LinearRegression().fit(X[:, :1], y), "regression"
    )
    assert regressor.fit(X, y).predict(X).shape == (300,)


@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_the_final_choice_rests_on_rows_left_out_of_it(kind):
    if kind == "binary":
        X, y = make_classification(n_samples=300, n_features=6, random_state=1)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(y=y)
    else:
        frame = load_diabetes(as_frame=True).frame.head(300).rename(columns={"target": "y"})
    config = AutoMLConfig(
        time_budget_s=30, max_trials=5, families=("lightgbm", "linear", "decision_tree"), n_jobs=1
    )
    result = fit_automl(frame, "y", config)
    compared = [n for n in result.notes if "ensemble selection" in n and "stacking" in n]
    assert compared and "on validation rows left out of each choice (5 folds)" in compared[0]
    if result.algorithm.startswith("stack("):
        assert any(n.startswith("stacking chosen") for n in result.notes)
    elif result.algorithm.startswith("ensemble("):
        used = next(n for n in result.notes if n.startswith("ensemble of"))
        assert int(used.split("winning in ")[1].split("%")[0]) < 90, used
    else:
        assert result.val_score == result.best_trial.val_score
        assert any(n.startswith("ensemble not used") for n in result.notes), result.notes


def _noisy_trials(y, scales, families, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (n, family, y + rng.normal(scale=scale, size=len(y)))
        for n, (scale, family) in enumerate(zip(scales, families, strict=True))
    ]


def test_cross_check_sees_the_best_of_many_flatter_itself_and_the_ensemble_win():
    y = np.random.default_rng(1).normal(size=400)
    rmse = METRICS["rmse"]
    trials = _noisy_trials(y, [1.0] * 30, ["lightgbm"] * 15 + ["knn"] * 15)
    in_sample_best = min(rmse.score(y, p) for _, _, p in trials)
    check = cross_check(trials, y, rmse, task="regression")
    assert check is not None and check.n_folds == 5
    assert check.single > in_sample_best  # the best of 30 on the same rows flatters itself
    assert check.ensemble < check.single and check.single_sure < 0.1 and check.ensemble_wins
    assert check == cross_check(trials, y, rmse, task="regression")  # seeded


def test_cross_check_keeps_a_single_model_that_wins_clearly():
    y = np.random.default_rng(2).normal(size=400)
    rmse = METRICS["rmse"]
    families = ["svm"] + ["knn", "linear", "lightgbm", "random_forest"] * 4
    trials = _noisy_trials(y, [0.1] + [1.5] * 16, families)  # 13 candidates a fold: bagged
    check = cross_check(trials, y, rmse, task="regression")
    assert check is not None and check.single < check.ensemble  # bags without it mix in noise
    assert check.single_sure > 0.9 and not check.ensemble_wins


def test_cross_check_is_skipped_on_many_rows_or_a_single_trial():
    rmse = METRICS["rmse"]
    many = np.zeros(CROSS_CHECK_MAX_ROWS + 1)
    assert (
        cross_check(_noisy_trials(many, [1.0, 1.0], ["knn", "svm"]), many, rmse, task="regression")
        is None
    )
    few = np.zeros(50)
    assert cross_check(_noisy_trials(few, [1.0], ["knn"]), few, rmse, task="regression") is None
    labels = np.array([0] * 49 + [1])  # one row of class 1: no stratified fold split
    trials = [(n, "knn", np.column_stack([1 - labels * 0.9, labels * 0.9])) for n in range(2)]
    assert cross_check(trials, labels, METRICS["log_loss"], task="classification") is None


@pytest.mark.parametrize("n_trials", [4, 12, 30])
def test_the_search_knows_how_many_scores_selection_and_cross_check_compute(n_trials):
    """The time kept back for them is this count times one score's measured cost."""
    calls = []

    def counted(y, p):
        calls.append(1)
        return METRICS["rmse"].score(y, p)

    rmse = Metric("rmse", "regression", False, counted)
    y = np.random.default_rng(3).normal(size=200)
    families = ["knn", "linear", "lightgbm", "random_forest", "svm"] * 6
    trials = _noisy_trials(y, np.linspace(0.5, 1.5, n_trials), families[:n_trials])
    n_candidates = min(n_trials, 15)  # three of each family
    scored = [(n, METRICS["rmse"].score(y, p), p) for n, _, p in trials[:n_candidates]]
    select_ensemble(scored, y, rmse)
    assert len(calls) == selection_scores(n_candidates)
    calls.clear()
    cross_check(trials, y, rmse, task="regression")
    assert len(calls) == cross_check_scores(n_trials, n_candidates)


def _search_then_run_out_of_time(data, families, *, clock, **kwargs):
    """The real search, then a clock with no time left to refit anything after it."""
    from modelyard.ml.automl.search import search

    state = search(data, families, clock=clock, **kwargs)
    clock.started -= clock.budget_s - clock.elapsed() - clock.evaluation_reserve()
    return state


def _fit_running_out_of_time(frame, config):
    """fit_automl with no time left after the search; the result and the progress said."""
    said = []
    result = fit_automl(
        frame,
        "y",
        config,
        run_search=_search_then_run_out_of_time,
        progress=lambda _, message: said.append(message),
    )
    return result, said


@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_an_ensemble_that_cannot_be_refitted_in_time_is_used_as_fitted_in_the_search(kind):
    if kind == "binary":
        X, y = make_classification(n_samples=1200, n_features=8, random_state=3)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
        frame["y"] = np.where(y == 1, "yes", "no")
    else:
        frame = load_diabetes(as_frame=True).frame.rename(columns={"target": "y"})
    config = AutoMLConfig(
        time_budget_s=60,
        max_trials=6,
        families=("linear", "knn", "random_forest"),
        validation="holdout",
        n_jobs=1,
    )
    result, said = _fit_running_out_of_time(frame, config)
    assert result.algorithm.startswith("ensemble("), result.notes
    assert f"testing {result.algorithm} as fitted in the search" in said
    assert not any(m.startswith("refitting") for m in said), said
    used = [n for n in result.notes if "as fitted in the search" in n]
    assert used and "would overrun the budget" in used[0], result.notes
    n_fit = int(used[0].split(" rows")[0].split()[-1])
    assert result.n_train == n_fit < len(frame) - result.n_test
    voting = getattr(result.model, "estimator_", result.model)  # classifiers are wrapped
    assert len(voting.estimators_) == len(result.ensemble_weights) >= 2
    knn = [p for p in voting.estimators_ if hasattr(p.steps[-1][1], "n_samples_fit_")]
    assert all(p.steps[-1][1].n_samples_fit_ == n_fit for p in knn)  # not refitted
    X_test = result.test_features
    assert len(result.model.predict(X_test)) == result.n_test
    if kind == "binary":
        assert set(result.model.predict(X_test)) <= {"yes", "no"}
        assert result.test_metrics["roc_auc"] > 0.85
    else:
        assert result.test_metrics["r2"] > 0.3


def test_a_model_kept_as_fitted_is_not_refitted_on_every_row_either():
    X, y = make_classification(n_samples=1200, n_features=8, random_state=3)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)]).assign(y=y)
    config = AutoMLConfig(
        time_budget_s=60,
        max_trials=4,
        families=("linear", "knn"),
        validation="holdout",
        refit_full=True,
        n_jobs=1,
    )
    result, said = _fit_running_out_of_time(frame, config)
    assert any("as fitted in the search" in m for m in said), said
    assert "refitting on every row, test split included" not in said
    assert any(n.startswith("refit on all 1200 rows skipped") for n in result.notes), result.notes
    assert result.n_train < len(frame) - result.n_test


def test_on_few_rows_the_search_keeps_predictions_for_the_cross_check():
    from modelyard.ml.automl.search import search

    states = []

    def keep_state(data, families, **kwargs):
        states.append(search(data, families, **kwargs))
        return states[-1]

    X, y = make_classification(n_samples=300, n_features=6, random_state=2)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(y=y)
    config = AutoMLConfig(time_budget_s=30, max_trials=8, families=("linear",), n_jobs=1)
    fit_automl(frame, "y", config, run_search=keep_state)
    (state,) = states
    usable = [r.number for r in state.usable()]
    assert len(usable) > 3 and sorted(state.predictions) == sorted(usable)  # not just three
    assert len(state.pipelines) <= 3  # the ensemble candidates only
    assert (kept_per_family(CROSS_CHECK_MAX_ROWS), kept_per_family(CROSS_CHECK_MAX_ROWS + 1)) == (
        20,
        3,
    )
