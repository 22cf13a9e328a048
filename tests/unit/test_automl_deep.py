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
