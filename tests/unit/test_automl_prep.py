"""Preprocessing options, SVM, resampling, threshold tuning and feature selection."""

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from modelyard.errors import InvalidInputError
from modelyard.ml.automl import AutoMLConfig, fit_automl
from modelyard.ml.automl.columns import classify_columns
from modelyard.ml.automl.families import FAMILIES, FamilyContext
from modelyard.ml.automl.options import PrepOptions
from modelyard.ml.automl.preprocessing import build_preprocessor
from modelyard.ml.automl.resampling import ResampledClassifier
from modelyard.ml.automl.selection import FeatureSelector
from modelyard.ml.automl.thresholds import ThresholdClassifier, tune_threshold


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "plan": rng.choice(["basic", "plus", "pro"], n),
            "city": [f"c{i}" for i in rng.integers(0, 40, n)],
            "when": pd.date_range("2024-01-01", periods=n, freq="D").astype(str),
        }
    )
    frame.loc[::6, "a"] = np.nan
    signal = frame["a"].fillna(0) + frame["b"] + (frame["plan"] == "pro")
    frame["y"] = np.where(signal + 0.4 * rng.normal(size=n) > 0.6, "yes", "no")
    return frame


@pytest.mark.parametrize(
    "options",
    [
        {"imputation": "mean", "scaling": "standard"},
        {"imputation": "median", "scaling": "robust", "encoding": "onehot"},
        {"imputation": "most_frequent", "scaling": "minmax", "encoding": "ordinal"},
        {"imputation": "constant", "scaling": "none", "encoding": "target"},
        {"imputation": "knn"},
        {"imputation": "iterative"},
        {"imputation": "auto", "scaling": "robust"},
    ],
)
@pytest.mark.parametrize("scaled", [True, False])
def test_each_preprocessing_option_fits_and_transforms_unseen_rows(options, scaled):
    train, unseen = _frame(), _frame(30, seed=9)
    unseen.loc[0, "plan"] = "never-seen"
    unseen.loc[1, "city"] = "elsewhere"
    X = train.drop(columns="y")
    prep = build_preprocessor(
        classify_columns(X),
        scaled=scaled,
        task="classification",
        seed=0,
        options=PrepOptions(**options),
    )
    prep.fit(X, (train["y"] == "yes").astype(int))
    out = prep.transform(unseen.drop(columns="y"))
    assert out.shape[0] == 30 and np.isfinite(out).all() if scaled else out.shape[0] == 30
    if options.get("scaling") == "minmax" and scaled:
        numeric = prep.named_transformers_["numeric"]
        assert type(numeric.named_steps["scale"]).__name__ == "MinMaxScaler"
    if scaled and options["imputation"] in ("auto", "median"):  # auto: by group, as
        numeric = prep.named_transformers_["numeric"]  # without options; median: plain
        imputer = type(numeric.named_steps["impute"]).__name__
        by_group = options["imputation"] == "auto"
        assert imputer == ("GroupMedianImputer" if by_group else "CommonIndicatorSimpleImputer")


def test_options_are_carried_in_the_saved_model_and_predict_unseen_rows():
    frame = _frame()
    config = AutoMLConfig(
        time_budget_s=30,
        max_trials=2,
        families=("linear", "knn"),
        imputation="knn",
        scaling="robust",
        encoding="ordinal",
        interactions="always",
        resampling="undersample",
        feature_selection="mutual_info",
        threshold_metric="f1",
    )
    result = fit_automl(frame, "y", config)
    model = cloudpickle.loads(cloudpickle.dumps(result.model))
    text = {type(v).__name__ for v in model.get_params(deep=True).values()}
    text.add(type(model).__name__)
    for name in ("CommonIndicatorKNNImputer", "RobustScaler", "OrdinalEncoder", "FeatureSelector"):
        assert name in text
    assert "InteractionFeatures" in text and "ResampledClassifier" in text
    assert "ThresholdClassifier" in text and result.threshold is not None
    unseen = _frame(20, seed=3).drop(columns="y")
    assert set(model.predict(unseen)) <= {"yes", "no"}
    assert model.predict_proba(unseen).shape == (20, 2)
    ranking = result.feature_ranking
    assert ranking and {"feature", "score", "selected", "method"} <= set(ranking[0])
    assert [r["score"] for r in ranking] == sorted((r["score"] for r in ranking), reverse=True)


def test_default_options_keep_the_default_preprocessor():
    X = _frame().drop(columns="y")
    kinds = classify_columns(X)
    plain = build_preprocessor(kinds, scaled=True, task="classification", seed=0)
    optioned = build_preprocessor(
        kinds, scaled=True, task="classification", seed=0, options=PrepOptions(resampling="smote")
    )
    assert repr(plain) == repr(optioned)


@pytest.mark.parametrize(
    ("field", "value", "listed"),
    [
        ("imputation", "magic", "knn, iterative"),
        ("scaling", "log", "robust, minmax"),
        ("encoding", "hash", "onehot, ordinal, target"),
        ("resampling", "bootstrap", "oversample, undersample, smote"),
        ("feature_selection", "boruta", "mutual_info, rfe"),
        ("threshold_metric", "auc", "f1, balanced_accuracy"),
        ("cost_matrix", ((1, 0), (0, 1)), "fp > tn"),
    ],
)
def test_bad_option_values_are_refused_listing_the_valid_ones(field, value, listed):
    with pytest.raises(InvalidInputError, match=listed):
        AutoMLConfig(**{field: value})


def test_cost_matrix_moves_the_threshold_the_right_way():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    proba = 0.3 * y + 0.7 * rng.random(400)  # overlapping classes
    balanced = tune_threshold(y, proba, cost_matrix=[[0, 1], [1, 0]])
    costly_misses = tune_threshold(y, proba, cost_matrix=[[0, 1], [10, 0]])
    costly_alarms = tune_threshold(y, proba, cost_matrix=[[0, 10], [1, 0]])
    assert costly_misses < balanced < costly_alarms
    assert 0 < tune_threshold(y, proba, metric="f1") < 1


def test_threshold_classifier_uses_its_threshold_for_predict_only():
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.estimator_checks import check_estimator

    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=200) > 0, "b", "a")
    low = ThresholdClassifier(LogisticRegression(), threshold=0.1).fit(X, y)
    high = ThresholdClassifier(LogisticRegression(), threshold=0.9).fit(X, y)
    assert np.allclose(low.predict_proba(X), high.predict_proba(X))
    assert (low.predict(X) == "b").sum() > (high.predict(X) == "b").sum()
    check_estimator(ThresholdClassifier(LogisticRegression()))


def test_resampling_happens_only_in_fit():
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 2))
    y = np.array([1] * 20 + [0] * 100)
    over = ResampledClassifier(DecisionTreeClassifier(random_state=0), "oversample").fit(X, y)
    under = ResampledClassifier(DecisionTreeClassifier(random_state=0), "undersample").fit(X, y)
    smote = ResampledClassifier(DecisionTreeClassifier(random_state=0), "smote").fit(X, y)
    assert (over.n_fit_rows_, under.n_fit_rows_, smote.n_fit_rows_) == (200, 40, 200)
    assert over.predict(X).shape == (120,) and smote.predict_proba(X).shape == (120, 2)


def _informative(n_rows=300, seed=0, task="classification"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 30))
    signal = X[:, :5] @ np.array([1.5, -1.2, 1.0, -1.4, 1.1])
    noisy = signal + 0.3 * rng.normal(size=n_rows)
    return X, (noisy > 0).astype(int) if task == "classification" else noisy


@pytest.mark.parametrize(
    "method", ["variance", "mutual_info", "rfe", "l1", "tree_importance", "permutation"]
)
def test_every_selection_method_ranks_and_keeps_features(method):
    X, y = _informative()
    selector = FeatureSelector(method=method, max_features=5, random_state=0).fit(X, y)
    ranking = selector.ranking([f"f{i}" for i in range(30)])
    assert len(ranking) == 30 and sum(r["selected"] for r in ranking) == 5
    assert selector.transform(X).shape == (300, 5)
    if method != "variance":  # variance knows nothing of the target
        top = {r["feature"] for r in ranking[:5]}
        assert len(top & {f"f{i}" for i in range(5)}) >= 4


def test_neural_selector_finds_the_five_informative_features():
    from modelyard.ml.automl.neural_selector import gate_scores

    X, y = _informative()
    scores = gate_scores(X, y, task="classification", seed=0)
    assert sorted(np.argsort(-scores)[:5]) == [0, 1, 2, 3, 4]
    again = gate_scores(X, y, task="classification", seed=0)
    assert np.allclose(scores, again)  # deterministic with a seed
    X, y = _informative(task="regression")
    selector = FeatureSelector(method="neural", task="regression", max_features=5).fit(X, y)
    assert sorted(np.flatnonzero(selector.support_)) == [0, 1, 2, 3, 4]


def test_auto_selection_keeps_everything_below_a_hundred_features():
    X, y = _informative()
    assert FeatureSelector(method="auto").fit(X, y).support_.all()


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_svm_family_fits_and_refuses_too_many_rows(task):
    X, y = _informative(200, task=task)
    family = FAMILIES["svm"]
    ctx = FamilyContext(task=task, n_rows=200, n_features=30, n_classes=2, seed=0, n_jobs=1)
    model = family.make(family.default(ctx), ctx).fit(X, y)
    assert model.predict(X).shape == (200,)
    if task == "classification":
        assert model.predict_proba(X).shape == (200, 2)
    big = FamilyContext(task=task, n_rows=30_000, n_features=30, n_classes=2, seed=0, n_jobs=1)
    with pytest.raises(ValueError, match="20,000"):
        family.make(family.default(big), big)


def test_svm_is_searched_only_when_asked():
    from modelyard.ml.automl import recommend

    advice = recommend(_frame(), "y")
    assert "svm" not in [s.value for s in advice.families]
    assert "svm" in [s.value for s in advice.excluded_families]


def test_recommendation_names_preprocessing_with_reasons():
    from modelyard.ml.automl import recommend

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(150, 120)), columns=[f"f{i}" for i in range(120)])
    frame.iloc[::2, :80] = np.nan  # a third of the cells
    frame["y"] = np.where(rng.random(150) < 0.1, "rare", "common")
    advice = recommend(frame, "y")
    values = {s.value: s.reason for s in advice.preprocessing}
    assert "imputation=iterative" in values and "missing" in values["imputation=iterative"]
    assert "feature_selection=mutual_info" in values and "threshold_metric=f1" in values


def test_the_domain_options_match_the_engine_options():
    from typing import get_args

    from modelyard.domain.training import TrainingOptions
    from modelyard.ml.automl import options

    def literal(name):
        annotation = TrainingOptions.model_fields[name].annotation
        return next((a for a in get_args(annotation) if get_args(a)), annotation)

    for name, values in [
        ("imputation", options.IMPUTATIONS),
        ("scaling", options.SCALINGS),
        ("encoding", options.ENCODINGS),
        ("interactions", options.INTERACTIONS),
        ("resampling", options.RESAMPLINGS),
        ("threshold_metric", options.THRESHOLD_METRICS),
        ("feature_selection", options.FEATURE_SELECTIONS),
    ]:
        assert get_args(literal(name)) == values


def test_regression_with_searched_interactions_and_svm():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    frame["y"] = frame["a"] * frame["b"] + frame["c"] + 0.1 * rng.normal(size=200)
    config = AutoMLConfig(
        time_budget_s=30,
        max_trials=4,
        families=("linear", "svm"),
        interactions="search",
        resampling="oversample",  # classification only: ignored for regression
        feature_selection="permutation",
        threshold_metric="f1",  # binary classification only: skipped with a note
    )
    result = fit_automl(frame, "y", config)
    assert any("interactions" in t.params for t in result.leaderboard)
    assert any(t.family == "svm" and t.status == "ok" for t in result.leaderboard)
    assert result.threshold is None and any("threshold tuning skipped" in n for n in result.notes)
    assert result.model.predict(frame.drop(columns="y").head(3)).shape == (3,)


def test_ranking_names_text_terms_and_datetime_parts():
    frame = _frame(120)
    words = ["good fast service", "slow bad awful wait", "great friendly staff", "rude never"]
    frame["review"] = [f"{words[i % 4]} visit {i} day {i % 7}" for i in range(120)]
    config = AutoMLConfig(
        time_budget_s=20, max_trials=1, families=("linear",), feature_selection="variance"
    )
    ranking = fit_automl(frame, "y", config).feature_ranking
    names = {r["feature"] for r in ranking}
    assert any(n.startswith("text_0__") for n in names)
    assert "numeric__a" in names and any(n.startswith("datetime__") for n in names)
