"""The PyTorch families (the ``dl`` extra); skipped when torch is not installed."""

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, make_classification
from sklearn.utils.estimator_checks import parametrize_with_checks

pytest.importorskip("torch")

from modelyard.ml.automl import AutoMLConfig, fit_automl  # noqa: E402
from modelyard.ml.automl.deep import (  # noqa: E402
    TorchTabularClassifier,
    TorchTabularRegressor,
)

SMALL = {"hidden_size": 16, "max_epochs": 40, "learning_rate": 1e-2, "n_threads": 1}


# The transformer shares every scikit-learn method with the MLP (one base class, only the
# torch module differs), so the API checks run on the quicker MLP.
@parametrize_with_checks([TorchTabularClassifier(**SMALL), TorchTabularRegressor(**SMALL)])
def test_network_estimators_follow_scikit_learn_conventions(estimator, check):
    check(estimator)


@pytest.mark.parametrize("architecture", ["mlp", "transformer"])
def test_networks_learn_stop_early_report_epochs_and_pickle(architecture):
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    epochs = []
    model = TorchTabularClassifier(
        architecture,
        hidden_size=16,
        n_layers=1,
        learning_rate=1e-2,
        max_epochs=200,
        patience=5,
        n_threads=1,
        on_epoch=lambda epoch, train_loss, val_loss: epochs.append(epoch),
    ).fit(X, y)
    assert model.score(X, y) > 0.8
    assert model.n_epochs_ == len(epochs) < 200
    restored = cloudpickle.loads(cloudpickle.dumps(model))
    assert np.allclose(restored.predict_proba(X[:5]), model.predict_proba(X[:5]))


def test_regressor_network_learns_a_standardised_target():
    X, y = load_diabetes(return_X_y=True)
    model = TorchTabularRegressor(learning_rate=3e-3, n_threads=1).fit(X * 10, y)
    assert model.score(X * 10, y) > 0.3
    assert abs(model.predict(X).mean() - y.mean()) < 40


def test_the_search_can_use_network_families():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    table = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(label=y)
    config = AutoMLConfig(
        time_budget_s=30,
        max_trials=2,
        validation="holdout",
        families=("mlp", "tabular_transformer"),
        n_jobs=1,
        ensemble=False,
    )
    result = fit_automl(table, "label", config)
    assert [t.family for t in result.leaderboard] == ["mlp", "tabular_transformer"]
    assert result.test_metrics["accuracy"] > 0.7


def test_batch_norm_mlp_trains_when_a_lone_row_is_left_for_the_last_batch():
    X, y = make_classification(n_samples=150, n_features=8, random_state=1)
    # 135 training rows after the 10% early-stopping split: two batches of 67 and one row
    settings = {**SMALL, "batch_size": 67, "batch_norm": True}
    model = TorchTabularClassifier(**settings).fit(X, y)
    norms = [m for m in model.module_.modules() if type(m).__name__ == "BatchNorm1d"]
    assert len(norms) == 2 and model.score(X, y) > 0.8  # one per hidden layer
    assert not any(
        type(m).__name__ == "BatchNorm1d"
        for m in TorchTabularClassifier(**SMALL).fit(X, y).module_.modules()
    )
    with pytest.raises(ValueError, match="batch_norm needs at least 2 training rows"):
        TorchTabularRegressor(**settings).fit(X[:1], y[:1])


def test_a_network_saved_before_batch_norm_loads_without_it():
    X, y = make_classification(n_samples=100, n_features=4, random_state=2)
    model = TorchTabularClassifier(**SMALL).fit(X, y)
    del model.__dict__["batch_norm"]  # as pickled by an earlier version
    restored = cloudpickle.loads(cloudpickle.dumps(model))
    assert restored.get_params()["batch_norm"] is False
    assert np.allclose(restored.predict_proba(X[:5]), model.predict_proba(X[:5]))


def test_the_mlp_default_uses_batch_norm_from_thirty_features():
    from modelyard.ml.automl.families import BATCH_NORM_MIN_FEATURES, FAMILIES, FamilyContext

    def default(n_features):
        ctx = FamilyContext("classification", 1000, n_features, 2, seed=0, n_jobs=1)
        return FAMILIES["mlp"].default(ctx)["batch_norm"]

    assert BATCH_NORM_MIN_FEATURES == 30
    assert (default(29), default(30), default(64)) == (False, True, True)
    assert FAMILIES["mlp"].space(FamilyContext("classification", 1000, 8, 2, seed=0, n_jobs=1))[
        "batch_norm"
    ] == ("cat", (False, True))
    assert "batch_norm" not in FAMILIES["tabular_transformer"].default(
        FamilyContext("classification", 1000, 64, 2, seed=0, n_jobs=1)
    )


def test_the_recommendation_says_when_the_mlp_starts_with_batch_norm():
    from modelyard.ml.automl import recommend

    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(200, 30))).add_prefix("x")
    narrow = wide.iloc[:, :29]
    notes = {
        name: recommend(frame.assign(y=np.arange(200) % 2), "y").hyperparameters
        for name, frame in [("wide", wide), ("narrow", narrow)]
    }
    said = [s for s in notes["wide"] if "batch norm" in s.value]
    assert said and said[0].reason.startswith("30 features")
    assert not any("batch norm" in s.value for s in notes["narrow"])
