"""Deadline-bounded fits: each learner stops near its deadline with a model that predicts."""

import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from modelyard.ml.automl.deadline import fit_within

_ROWS = 20_000


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((_ROWS, 20))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.standard_normal(_ROWS) > 0).astype(int)
    return X, y


def _slow_models():
    from catboost import CatBoostClassifier
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression
    from xgboost import XGBClassifier

    return {
        "lightgbm": LGBMClassifier(n_estimators=100_000, num_leaves=63, verbose=-1, n_jobs=1),
        "xgboost": XGBClassifier(n_estimators=100_000, max_depth=8, n_jobs=1, tree_method="hist"),
        "catboost": CatBoostClassifier(
            iterations=100_000, depth=8, verbose=0, thread_count=1, allow_writing_files=False
        ),
        "random_forest": RandomForestClassifier(n_estimators=5_000, n_jobs=1, random_state=0),
        "extra_trees": ExtraTreesClassifier(n_estimators=5_000, n_jobs=1, random_state=0),
        "hgb": HistGradientBoostingClassifier(max_iter=100_000, early_stopping=False),
        "linear": LogisticRegression(  # as the linear family on big data: saga, elastic net
            C=1e3, l1_ratio=0.5, solver="saga", tol=0.0, max_iter=100_000, random_state=0
        ),
    }


@pytest.mark.parametrize(
    "name", ["lightgbm", "xgboost", "catboost", "random_forest", "extra_trees", "hgb", "linear"]
)
def test_a_fit_given_a_deadline_returns_in_time_with_a_model_that_predicts(data, name):
    X, y = data
    model = _slow_models()[name]  # imported before the clock starts
    with threadpool_limits(limits=1):  # as the engine runs them (HGB uses OpenMP threads)
        started = time.perf_counter()
        bounded = fit_within(model, X, y, started + 0.3)
        took = time.perf_counter() - started
    assert took < 0.5 + 0.5  # 0.3 s away, ~0.5 s on an idle machine; slack for a loaded one
    assert bounded.stopped and bounded.sizes and "stopped at the deadline" in bounded.describe()
    proba = model.predict_proba(X[:100])
    assert proba.shape == (100, 2) and np.all(np.isfinite(proba))


def test_a_fit_that_finishes_before_its_deadline_is_a_plain_fit(data):
    from lightgbm import LGBMClassifier

    X, y = data
    model = LGBMClassifier(n_estimators=5, verbose=-1, n_jobs=1)
    bounded = fit_within(model, X[:500], y[:500], time.perf_counter() + 30)
    assert not bounded.stopped and model.booster_.current_iteration() == 5


def test_a_linear_model_goes_on_to_convergence_or_stops_at_the_deadline(data):
    from sklearn.linear_model import ElasticNet, LogisticRegression

    X, y = data
    plain = LogisticRegression(max_iter=1000).fit(X, y)
    model = LogisticRegression(max_iter=1000)
    bounded = fit_within(model, X, y, time.perf_counter() + 30)
    assert not bounded.stopped and model.get_params()["max_iter"] == 1000
    assert not model.get_params()["warm_start"]
    np.testing.assert_allclose(model.coef_, plain.coef_, rtol=1e-3, atol=1e-4)
    target = X[:, 0] + 0.1 * X[:, 1]
    regressor = ElasticNet(alpha=1e-6, l1_ratio=0.5, tol=0.0, max_iter=10**7)
    started = time.perf_counter()
    bounded = fit_within(regressor, X, target, started + 0.3)
    assert time.perf_counter() - started < 1.0 and bounded.stopped
    assert bounded.sizes["max_iter"] == regressor.get_params()["max_iter"] < 10**7
    assert np.corrcoef(regressor.predict(X[:200]), target[:200])[0, 1] > 0.99


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_stopped_linear_trial_is_rebuilt_with_the_iterations_it_reached(task):
    from modelyard.ml.automl.families import FAMILIES, FamilyContext

    family = FAMILIES["linear"]
    ctx = FamilyContext(task=task, n_rows=500, n_features=5, n_classes=2, seed=0, n_jobs=1)
    params = {**family.default(ctx), "max_iter": 7}  # as search.py records a stopped trial
    assert family.make(params, ctx).get_params()["max_iter"] == 7


def test_wrappers_and_pipelines_are_looked_through(data):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from xgboost import XGBClassifier

    from modelyard.ml.automl.estimators import LabelEncodedClassifier

    X, y = data
    labels = np.where(y == 1, "yes", "no")
    inner = XGBClassifier(n_estimators=100_000, max_depth=8, n_jobs=1, tree_method="hist")
    model = LabelEncodedClassifier(Pipeline([("scale", StandardScaler()), ("model", inner)]))
    started = time.perf_counter()
    bounded = fit_within(model, X, labels, started + 0.3)
    assert time.perf_counter() - started < 1.0 and bounded.stopped
    assert set(model.predict(X[:50])) <= {"yes", "no"}
    assert model.estimator_.steps[-1][1].get_params()["callbacks"] is None


@pytest.mark.parametrize("budget", [4.0, 1.5])
def test_the_search_with_a_tiny_budget_on_20k_rows_ends_within_it(budget):
    import pandas as pd

    from modelyard.ml.automl import AutoMLConfig, fit_automl

    rng = np.random.default_rng(1)
    X = rng.standard_normal((_ROWS, 10))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(10)])
    frame["y"] = np.where(X[:, 0] + X[:, 1] * X[:, 2] + rng.standard_normal(_ROWS) > 0, "a", "b")
    config = AutoMLConfig(
        time_budget_s=budget,
        families=("lightgbm", "xgboost", "random_forest"),
        n_jobs=1,
        validation="holdout",
    )
    started = time.perf_counter()
    result = fit_automl(frame, "y", config)
    wall = time.perf_counter() - started
    assert wall < budget + 1.5, (wall, result.notes)
    assert result.test_metrics["roc_auc"] > 0.7
    assert result.leaderboard and any(t.is_usable for t in result.leaderboard)
    assert set(result.model.predict(frame.drop(columns="y").head(50))) <= {"a", "b"}
    # a refit that would overrun is skipped: the search's fitted model is used, and said so
    skipped = [n for n in result.notes if "refit" in n and "skipped" in n]
    assert not skipped or "the search's model fitted on" in skipped[0]


def test_the_search_model_is_wrapped_like_a_refitted_one(data):
    import dataclasses
    from types import SimpleNamespace

    import pandas as pd
    from lightgbm import LGBMClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from modelyard.ml.automl.estimators import temperature_scaled
    from modelyard.ml.automl.final import FinalModel, search_model

    X, y = data
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LGBMClassifier(n_estimators=5))])
    pipeline.set_params(model__verbose=-1).fit(X[:2000], y[:2000])  # fitted on class codes
    problem = SimpleNamespace(task="classification", labels=pd.Series(np.where(y, "yes", "no")))
    final = FinalModel(pipeline, "lightgbm", 0.5)
    plain = search_model(pipeline, problem, final)
    assert set(plain.predict(X[:50])) <= {"yes", "no"} and list(plain.classes_) == ["no", "yes"]
    strict = search_model(pipeline, problem, dataclasses.replace(final, threshold=0.99))
    assert set(strict.predict(X[:50])) == {"no"}
    assert np.allclose(strict.predict_proba(X[:5]), pipeline.predict_proba(X[:5]))
    sharper = search_model(pipeline, problem, dataclasses.replace(final, temperature=0.5))
    assert np.allclose(
        sharper.predict_proba(X[:5]), temperature_scaled(pipeline.predict_proba(X[:5]), 0.5)
    )


@pytest.mark.parametrize(
    ("n_folds", "has_fitted_model", "capped"),
    [(1, True, True), (1, False, False), (5, True, False)],
    ids=["holdout", "holdout, no fitted model", "k-fold"],
)
def test_a_long_refit_is_not_waited_for_when_the_searchs_model_can_stand_in(
    n_folds, has_fitted_model, capped
):
    from types import SimpleNamespace

    import pandas as pd

    from modelyard.ml.automl.search import (
        OPTIONAL_REFIT_SHARE,
        SearchState,
        _refit_reserve,
        evaluation_reserve,
    )
    from modelyard.ml.automl.trials import TrialRecord

    rows = np.arange(1000)
    folds = [(rows[rows % n_folds != k], rows[rows % n_folds == k]) for k in range(n_folds)]
    if n_folds == 1:
        folds = [(rows[:800], rows[800:])]
    data = SimpleNamespace(X=pd.DataFrame({"x": rows}), folds=folds)
    best = TrialRecord(0, "mlp", {}, "ok", 0.9, fit_time_s=60.0 * n_folds)  # ~75 s per refit
    state = SearchState(best=best, best_pipeline=object() if has_fitted_model else None)
    budget = 300.0
    waited = _refit_reserve(state, data, budget) - 0.3 - 0.03 * budget - evaluation_reserve(budget)
    if capped:
        assert waited == pytest.approx(OPTIONAL_REFIT_SHARE * budget)
    else:
        assert waited > 100  # 1.5 x the refit estimate


def test_the_refit_reserve_covers_the_best_few_candidates_not_the_best_alone():
    from types import SimpleNamespace

    import pandas as pd

    from modelyard.ml.automl.metrics import METRICS
    from modelyard.ml.automl.search import (
        RESERVED_MEMBERS,
        SearchState,
        _refit_reserve,
        evaluation_reserve,
        refit_estimate,
    )
    from modelyard.ml.automl.trials import TrialRecord

    rows = np.arange(1000)
    folds = [(rows[rows % 5 != k], rows[rows % 5 == k]) for k in range(5)]
    data = SimpleNamespace(X=pd.DataFrame({"x": rows}), folds=folds, metric=METRICS["log_loss"])
    families = ["lightgbm", "mlp", "knn", "linear", "xgboost", "catboost", "random_forest"]
    records = [
        TrialRecord(n, family, {}, "ok", 0.1 + n / 100, fit_time_s=5.0)
        for n, family in enumerate(families)
    ]
    state = SearchState(records=records, best=records[0])
    kept = _refit_reserve(state, data, 60.0) - 0.3 - 0.03 * 60.0 - evaluation_reserve(60.0)
    one = 1.5 * refit_estimate(records[0], data)
    assert kept == pytest.approx(RESERVED_MEMBERS * one)
    alone = SearchState(best=records[0])  # nothing recorded yet: the best model's refit
    kept = _refit_reserve(alone, data, 60.0) - 0.3 - 0.03 * 60.0 - evaluation_reserve(60.0)
    assert kept == pytest.approx(one)


@pytest.mark.parametrize("refit_s, is_refitted", [(0.01, True), (1_000.0, False)])
def test_the_refit_on_every_row_is_done_only_when_the_first_refit_says_it_fits(
    refit_s, is_refitted
):
    from types import SimpleNamespace

    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from modelyard.ml.automl.engine import _refit_full
    from modelyard.ml.automl.search import Clock

    rows = pd.DataFrame({"x": np.arange(100.0), "y": np.arange(100) % 2})
    problem = SimpleNamespace(rows=rows, features=["x"], task="classification", labels=rows["y"])
    run = SimpleNamespace(
        problem=problem,
        splits=SimpleNamespace(search=np.arange(80)),
        clock=Clock(60.0),
        notes=[],
        report=lambda fraction, message: None,
    )
    model = LogisticRegression()
    _refit_full(run, model, refit_s=refit_s)
    assert hasattr(model, "coef_") is is_refitted
    if is_refitted:
        assert run.notes == ["refit on all 100 rows after the test evaluation "]
    else:
        assert run.notes[0].startswith("refit on all 100 rows skipped: it would take ~1500.0 s")
        assert run.notes[0].endswith("the model refit on the 80 search rows is kept")


@pytest.mark.parametrize("deadline_s", [None, 30.0])
def test_a_fit_stopped_by_max_iter_does_not_warn(deadline_s):
    """The CLI printed scikit-learn's "max_iter was reached" from the final refit."""
    import warnings

    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=300, random_state=0)
    model = LogisticRegression(solver="saga", max_iter=2)
    deadline = None if deadline_s is None else time.perf_counter() + deadline_s
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_within(model, X, y, deadline)
        LogisticRegression(solver="saga", max_iter=2).fit(X, y)  # outside: it still warns
    assert [w.category for w in caught] == [ConvergenceWarning]
