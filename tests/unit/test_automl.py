import inspect

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.utils.estimator_checks import parametrize_with_checks

import modelyard.ml.automl as automl
from modelyard.errors import InvalidInputError, JobCancelledError
from modelyard.ml.automl import AutoMLConfig, fit_automl, recommend
from modelyard.ml.automl.ensemble import select_ensemble
from modelyard.ml.automl.estimators import LabelEncodedClassifier
from modelyard.ml.automl.families import EXTRA_TREES_MAX_ROWS, FAMILIES, FamilyContext
from modelyard.ml.automl.metrics import METRICS
from modelyard.ml.automl.preprocessing import DatetimeFeatures

FAST = ("lightgbm", "linear", "decision_tree")


def quick(**changes):
    settings = {"time_budget_s": 30.0, "max_trials": 4, "families": FAST, "n_jobs": 1}
    return AutoMLConfig(**{**settings, **changes})


def binary_frame(n_samples=300, seed=0):
    X, y = make_classification(
        n_samples=n_samples, n_features=6, n_informative=4, random_state=seed
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    frame["plan"] = np.where(frame["x0"] > 0, "premium", "basic")
    frame["churned"] = np.where(y == 1, "yes", "no")
    return frame


def iris_frame():
    frame = load_iris(as_frame=True).frame
    frame["target"] = frame["target"].map({0: "setosa", 1: "versicolor", 2: "virginica"})
    return frame


@pytest.fixture(scope="module")
def binary_result():
    trials, calls = [], []
    result = fit_automl(
        binary_frame(),
        "churned",
        quick(max_trials=5, families=(*FAST, "knn")),
        progress=lambda fraction, message: calls.append((fraction, message)),
        on_trial=trials.append,
    )
    return result, trials, calls


def test_every_public_name_is_exported():
    public = {
        name
        for name, value in vars(automl).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(automl.__all__)


def test_binary_classifier_is_tested_once_on_held_out_rows(binary_result):
    result, _, _ = binary_result
    assert result.task == "classification" and result.metric == "roc_auc"
    assert result.classes == ["no", "yes"]
    assert result.test_metrics["roc_auc"] > 0.85 and result.test_metrics["accuracy"] > 0.75
    expected = {"balanced_accuracy", "f1_macro", "f1_weighted", "precision_macro", "log_loss"}
    assert expected | {"recall_weighted", "pr_auc", "mcc"} <= set(result.test_metrics)
    assert result.n_test == 60 and len(result.y_test) == 60
    assert np.array(result.confusion_matrix).sum() == 60
    assert np.allclose(np.sum(result.test_probabilities, axis=1), 1.0)


def test_model_takes_the_original_frame_and_survives_pickling(binary_result):
    result, _, _ = binary_result
    frame = binary_frame().head(5)
    model = cloudpickle.loads(cloudpickle.dumps(result.model))
    assert set(model.predict(frame)) <= {"no", "yes"}
    assert model.predict_proba(frame[result.feature_columns]).shape == (5, 2)
    assert list(model.classes_) == ["no", "yes"]


def test_leaderboard_records_score_latency_and_size(binary_result):
    result, trials, _ = binary_result
    assert trials == result.leaderboard and len(trials) == 5
    assert [t.family for t in trials[:2]] == ["lightgbm", "linear"]
    finished = [t for t in trials if t.status == "ok"]
    assert finished and all(t.predict_latency_ms > 0 and t.size_bytes > 0 for t in finished)
    assert all(t.fit_time_s > 0 for t in trials)
    assert result.best_trial in finished


def test_progress_reports_each_trial_with_fraction_and_best(binary_result):
    _, trials, calls = binary_result
    messages = [m for _, m in calls]
    assert any(m.startswith("trial 0: lightgbm val roc_auc=") and "best" in m for m in messages)
    assert sum(m.startswith("trial ") and "fold" not in m for m in messages) == len(trials)
    assert all(0.0 <= f <= 1.0 for f, _ in calls) and calls[-1][0] == 1.0


def test_an_ensemble_or_stack_is_said_and_otherwise_the_best_model_is_kept(binary_result):
    result, _, _ = binary_result
    if result.ensemble_weights:
        assert result.algorithm.startswith(("ensemble(", "stack("))
        assert any(n.startswith(("ensemble of", "stacking chosen")) for n in result.notes)
    else:
        assert result.val_score == result.best_trial.val_score


def test_to_outcome_gives_the_thin_trainer_shape(binary_result):
    result, _, _ = binary_result
    outcome = result.to_outcome()
    assert outcome.pipeline is result.model and outcome.classes == ["no", "yes"]
    assert outcome.metrics == result.test_metrics and outcome.n_test == 60
    assert outcome.params["metric"] == "roc_auc"


def test_multiclass_defaults_to_log_loss_and_learns():
    result = fit_automl(iris_frame(), "target", quick())
    assert result.metric == "log_loss" and len(result.classes) == 3
    assert result.test_metrics["accuracy"] > 0.85
    assert np.array(result.confusion_matrix).shape == (3, 3)


def test_regressor_learns_diabetes():
    frame = load_diabetes(as_frame=True).frame
    result = fit_automl(frame, "target", quick(families=("linear", "lightgbm")))
    assert result.task == "regression" and result.metric == "rmse"
    assert result.test_metrics["r2"] > 0.2 and result.test_metrics["rmse"] < 70
    assert {"mse", "mae", "mape"} <= set(result.test_metrics)
    assert result.confusion_matrix is None and result.test_probabilities is None


def test_an_exception_from_progress_stops_the_search_and_propagates():
    trials = []

    def progress(fraction, message):
        if len(trials) >= 2:
            raise RuntimeError()

    with pytest.raises(RuntimeError):
        fit_automl(
            binary_frame(),
            "churned",
            quick(max_trials=10),
            progress=progress,
            on_trial=trials.append,
        )
    assert len(trials) == 2


def test_a_cancel_during_the_search_keeps_the_best_model_so_far():
    trials = []

    def progress(fraction, message):
        if len(trials) >= 2:
            raise JobCancelledError("The job was cancelled.")

    result = fit_automl(
        binary_frame(), "churned", quick(max_trials=10), progress=progress, on_trial=trials.append
    )
    assert len(trials) == 2 and result.n_trials == 2 and result.stopped_early
    assert result.model.predict(binary_frame().head(3)).shape == (3,)
    assert any("best so far kept" in note for note in result.notes)


def test_a_cancel_before_any_trial_finished_propagates():
    def progress(fraction, message):
        raise JobCancelledError("The job was cancelled.")

    with pytest.raises(JobCancelledError):
        fit_automl(binary_frame(), "churned", quick(max_trials=10), progress=progress)


def test_same_seed_and_trial_limit_give_the_same_leaderboard():
    config = quick(max_trials=6, families=("lightgbm", "linear", "decision_tree", "knn"))

    def board():
        result = fit_automl(binary_frame(), "churned", config)
        return [(t.family, t.params, t.status, t.val_score) for t in result.leaderboard]

    assert board() == board()


def test_leaky_identifier_constant_and_empty_columns_are_dropped_with_reasons():
    frame = binary_frame()
    frame["copy"] = frame["churned"]
    frame["churn_flag"] = (frame["churned"] == "yes").astype(int)
    frame["customer_id"] = np.arange(1000, 1000 + len(frame))
    frame["ticket"] = [f"T-{i:05d}" for i in range(len(frame))]
    frame["constant"], frame["empty"] = 1, np.nan
    result = fit_automl(frame, "churned", quick(max_trials=2))
    dropped = result.dropped_columns
    assert dropped["copy"] == "identical to the target (leakage)"
    assert dropped["churn_flag"] == "encodes the target one-to-one (leakage)"
    assert dropped["customer_id"].startswith("identifier-like")
    assert dropped["ticket"].startswith("identifier-like")
    assert dropped["constant"] == "constant" and dropped["empty"] == "all values missing"
    assert not set(dropped) & set(result.feature_columns)


@pytest.mark.parametrize(
    ("change", "config", "code", "words"),
    [
        (lambda f: f.assign(churned="yes"), {}, "training.target_single_value", "single value"),
        (lambda f: f.assign(churned=np.nan), {}, "training.target_empty", "every row is missing"),
        (lambda f: f, {"task": "regression"}, "training.target_not_numeric", "non-numeric"),
        (lambda f: f.head(20), {"n_folds": 20}, "training.too_few_rows_for_folds", "20 folds"),
        (lambda f: f.head(5), {}, "training.too_few_rows", "at least 10"),
        (lambda f: f, {"metric": "rmse"}, "automl.metric_task_mismatch", "rmse"),
        (lambda f: f, {"families": ("nope",)}, "automl.unknown_family", "nope"),
    ],
)
def test_bad_input_gets_a_clear_error(change, config, code, words):
    with pytest.raises(InvalidInputError) as info:
        fit_automl(change(binary_frame()), "churned", quick(**config))
    assert info.value.code == code and words in info.value.message


def test_invalid_configuration_is_refused():
    with pytest.raises(InvalidInputError, match="time_budget_s must be positive"):
        AutoMLConfig(time_budget_s=0)
    with pytest.raises(InvalidInputError, match="needs group_column"):
        AutoMLConfig(validation="group_kfold")
    with pytest.raises(InvalidInputError) as info:
        AutoMLConfig(validation="time_series")  # type: ignore[arg-type]
    assert "unknown validation 'time_series' (one of auto, holdout," in info.value.message
    assert "roc_auc" not in info.value.message  # the metrics were listed for any mistake
    with pytest.raises(InvalidInputError, match="unknown metric 'auc' \\(one of roc_auc, "):
        AutoMLConfig(metric="auc")


def test_a_budget_too_small_for_any_model_says_so():
    with pytest.raises(InvalidInputError) as info:
        fit_automl(binary_frame(), "churned", quick(time_budget_s=0.001))
    assert info.value.code == "automl.budget_too_small"
    assert "too small" in info.value.message


def test_a_tiny_budget_still_returns_the_first_cheap_model_when_it_finished():
    result = fit_automl(binary_frame(), "churned", quick(time_budget_s=0.01, validation="holdout"))
    assert [t.family for t in result.leaderboard] == ["lightgbm"]
    assert result.test_metrics["roc_auc"] > 0.8


def test_latency_limit_is_respected():
    limit = 50.0
    result = fit_automl(
        binary_frame(), "churned", quick(max_trials=5, max_predict_latency_ms=limit)
    )
    assert result.best_trial.predict_latency_ms <= limit
    for trial in result.leaderboard:
        if trial.predict_latency_ms is not None and trial.predict_latency_ms > limit:
            assert trial.status == "over_limit" and "latency" in trial.reason


def test_no_model_within_the_limits_is_an_error():
    with pytest.raises(InvalidInputError) as info:
        fit_automl(binary_frame(), "churned", quick(max_trials=2, max_model_size_mb=1e-6))
    assert info.value.code == "automl.limits_unmet"


def test_dates_text_many_levels_and_missing_values_are_encoded():
    rng = np.random.default_rng(0)
    frame = binary_frame()
    n = len(frame)
    frame["signed_up"] = pd.date_range("2020-01-01", periods=n, freq="D").astype(str)
    frame["city"] = rng.choice([f"city{i}" for i in range(40)], n)
    words = np.array(["fast", "slow", "cheap", "great", "bad", "support", "price", "app"])
    frame["review"] = [" ".join(rng.choice(words, 5)) + f" {i}" for i in range(n)]
    frame.loc[::7, "x1"] = np.nan
    frame.loc[::5, "city"] = None
    result = fit_automl(frame, "churned", quick(max_trials=2, families=("lightgbm", "linear")))
    assert {"signed_up", "city", "review"} <= set(result.feature_columns)
    assert all(t.status == "ok" for t in result.leaderboard)


@pytest.mark.parametrize(
    ("validation", "extra"),
    [("timeseries", {"time_column": "day"}), ("group_kfold", {"group_column": "shop"})],
)
def test_time_and_group_validation(validation, extra):
    frame = binary_frame()
    frame["day"] = pd.date_range("2021-01-01", periods=len(frame), freq="h")
    frame["shop"] = np.arange(len(frame)) % 12
    config = quick(max_trials=2, validation=validation, n_folds=3, **extra)
    result = fit_automl(frame, "churned", config)
    assert result.validation.startswith(validation)
    assert "shop" not in result.feature_columns or validation != "group_kfold"


def test_recommendation_explains_each_choice():
    frame = binary_frame()
    frame.loc[frame.index[:-60], "churned"] = "no"
    advice = recommend(frame, "churned")
    assert advice.task.value == "classification" and advice.metric.value == "roc_auc"
    assert "positives" in advice.metric.reason or "smaller class" in advice.metric.reason
    assert advice.validation.value == "stratified_kfold"
    assert any("class_weight" in s.value for s in advice.hyperparameters)
    assert all(s.reason for s in (advice.task, advice.metric, advice.time_budget_s))
    assert all(s.reason for s in advice.families)
    config = advice.to_config(time_budget_s=5.0)
    assert config.metric == "roc_auc" and config.time_budget_s == 5.0
    assert len(advice.lines()) >= 5


def test_lightgbm_starts_from_extra_trees_only_on_small_data():
    def first_trial(n_rows):
        ctx = FamilyContext("classification", n_rows, 10, 2, seed=0, n_jobs=1)
        return FAMILIES["lightgbm"].default(ctx)["extra_trees"]

    assert first_trial(EXTRA_TREES_MAX_ROWS) is True
    assert first_trial(EXTRA_TREES_MAX_ROWS + 1) is False
    small = recommend(binary_frame(), "churned").hyperparameters
    large = recommend(binary_frame(n_samples=EXTRA_TREES_MAX_ROWS + 1), "churned").hyperparameters
    assert any("extra trees" in s.value and "300 rows" in s.reason for s in small)
    assert not any("extra trees" in s.value for s in large)


def test_recommendation_for_a_skewed_quantity_is_mae():
    frame = load_diabetes(as_frame=True).frame
    frame["target"] = np.exp(frame["target"] / 40)
    advice = recommend(frame, "target")
    assert advice.task.value == "regression" and advice.metric.value == "mae"


def test_ensemble_selection_combines_complementary_models():
    y = np.array([0, 1] * 50)
    good_on_first = np.where(np.arange(100) < 50, y, 0.5).astype(float)
    good_on_last = np.where(np.arange(100) >= 50, y, 0.5).astype(float)
    metric = METRICS["rmse"]
    candidates = [(0, metric.score(y, good_on_first), good_on_first)]
    candidates.append((1, metric.score(y, good_on_last), good_on_last))
    choice = select_ensemble(candidates, y, metric)
    assert set(choice.weights) == {0, 1} and choice.val_score < candidates[0][1]
    perfect = [(2, 0.0, y.astype(float)), *candidates]
    assert select_ensemble(perfect, y, metric).weights == {2: 1}


def test_bagged_selection_gives_weight_beyond_the_models_that_fit_validation_best():
    rng = np.random.default_rng(0)
    y = rng.normal(size=80)
    metric = METRICS["rmse"]
    close = [y + rng.normal(scale=0.05, size=80) for _ in range(2)]  # fit validation best
    far = [y + rng.normal(scale=0.6, size=80) for _ in range(10)]
    candidates = [(n, metric.score(y, p), p) for n, p in enumerate(close + far)]
    bagged = select_ensemble(candidates, y, metric, seed=0)
    assert bagged == select_ensemble(candidates, y, metric, seed=0)  # seeded
    assert set(bagged.weights) & {0, 1}
    assert set(bagged.weights) - {0, 1}  # from bags without 0 and 1
    assert 15 <= sum(bagged.weights.values()) <= 25
    weights = np.array([bagged.weights.get(n, 0) for n in range(12)], dtype=float)
    averaged = np.sum([w * p for w, (_, _, p) in zip(weights, candidates, strict=True)], axis=0)
    assert bagged.val_score == pytest.approx(metric.score(y, averaged / weights.sum()))
    greedy = select_ensemble(candidates[:9], y, metric)  # too few to bag
    assert set(greedy.weights) <= {0, 1}


@parametrize_with_checks([LabelEncodedClassifier(), DatetimeFeatures()])
def test_estimators_follow_scikit_learn_conventions(estimator, check):
    check(estimator)


def test_pandas_extension_dtypes_and_boolean_targets_work():
    rng = np.random.default_rng(0)
    n = 200
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "count": pd.array(
                np.where(rng.random(n) < 0.1, None, y + rng.integers(0, 3, n)), dtype="Int64"
            ),
            "flag": pd.array(
                np.where(rng.random(n) < 0.1, None, rng.random(n) < 0.5), dtype="boolean"
            ),
            "level": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "name": pd.Series(
                np.where(rng.random(n) < 0.1, None, rng.choice(["x", "y"], n)), dtype="string"
            ),
            "when": pd.date_range("2020-01-01", periods=n, freq="D", tz="Europe/Paris"),
            "value": rng.normal(size=n) + y,
            "target": y == 1,
        }
    )
    config = quick(max_trials=3, families=("lightgbm", "linear", "knn"))
    result = fit_automl(frame, "target", config)
    assert result.classes == [False, True]
    assert [t.status for t in result.leaderboard] == ["ok"] * 3
    assert set(result.model.predict(frame.head(4))) <= {False, True}


def test_recommendation_keeps_the_time_column_for_the_configuration():
    frame = binary_frame()
    frame["day"] = pd.date_range("2021-01-01", periods=len(frame), freq="D")
    advice = recommend(frame, "churned", time_column="day")
    assert advice.validation.value == "timeseries" and "day" in advice.validation.reason
    assert advice.to_config().time_column == "day"


def test_columns_of_lists_are_dropped_not_fatal():
    frame = binary_frame()
    frame["tags"] = [["a", "b"]] * len(frame)
    result = fit_automl(frame, "churned", quick(max_trials=1))
    assert result.dropped_columns["tags"].startswith("holds lists")
