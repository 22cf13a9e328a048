"""fit_unsupervised: clusterings and anomaly detectors found within a budget, on tiny data."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from modelyard.errors import InvalidInputError
from modelyard.ml.automl import AutoMLConfig
from modelyard.ml.automl.unsupervised import fit_unsupervised, recommend_unsupervised
from modelyard.ml.scoring import score


def _blobs(n=200):
    X, y = make_blobs(n_samples=n, centers=3, n_features=3, random_state=42, cluster_std=0.8)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["truth"] = y
    return frame


def test_clustering_finds_the_three_blobs_with_high_silhouette():
    result = fit_unsupervised(
        _blobs(), AutoMLConfig(task="clustering", time_budget_s=20, max_trials=12), label="truth"
    )
    assert result.metrics["n_clusters"] == 3 and result.metrics["silhouette"] > 0.6
    assert result.metrics["adjusted_rand"] > 0.95 and "truth" not in result.feature_columns
    assert {t.family for t in result.leaderboard} >= {"kmeans", "hdbscan"}
    assert sorted(result.report["cluster_sizes"].values()) == [66, 67, 67]  # the blobs
    assert len(result.report["profiles"]) == 3 and len(result.report["projection"]) == 200
    assert set(score(result.model, _blobs(9), task="clustering").predictions) <= {0, 1, 2}


def test_a_fixed_number_of_clusters_is_kept():
    config = AutoMLConfig(task="clustering", time_budget_s=10, n_clusters=4)
    result = fit_unsupervised(_blobs().drop(columns="truth"), config)
    assert result.metrics["n_clusters"] == 4
    assert {
        t.params.get("n_clusters", t.params.get("n_components")) for t in result.leaderboard
    } == {4}


def test_isolation_forest_flags_injected_outliers():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    frame.loc[:7, ["a", "b"]] = rng.uniform(6, 9, size=(8, 2))
    frame["plan"] = rng.choice(["basic", "pro"], size=200)
    config = AutoMLConfig(task="anomaly", time_budget_s=10, contamination=0.04, max_trials=1)
    result = fit_unsupervised(frame, config)
    assert result.algorithm == "isolation_forest"
    scores = score(result.model, frame, task="anomaly")
    assert scores.predictions[:8].sum() >= 7 and scores.predictions[8:].sum() <= 2
    assert scores.labels == ["anomaly_score"] and scores.probabilities.shape == (200, 1)
    assert scores.probabilities[:8, 0].min() > np.median(scores.probabilities[:, 0])
    assert 0 < result.metrics["stability"] <= 1 and result.report["n_anomalies"] >= 8


def test_no_usable_feature_column_is_a_clear_error():
    frame = pd.DataFrame({"customer_id": range(40), "country": ["NL"] * 40})
    with pytest.raises(InvalidInputError, match="No usable feature column for clustering") as info:
        fit_unsupervised(frame, AutoMLConfig(task="clustering"))
    assert info.value.code == "training.no_features"


@pytest.mark.parametrize("contamination", [0.0, -0.1, 0.51])
def test_contamination_outside_zero_to_half_is_refused(contamination):
    with pytest.raises(InvalidInputError, match=r"contamination must be in \(0, 0.5\]"):
        AutoMLConfig(task="anomaly", contamination=contamination)


def test_supervised_engine_refuses_unsupervised_tasks():
    with pytest.raises(InvalidInputError, match="no target"):
        AutoMLConfig(task="clustering").supervised_task  # noqa: B018


def test_without_target_clustering_is_recommended_with_reasons():
    advice = recommend_unsupervised(_blobs().drop(columns="truth"))
    assert advice["task"]["value"] == "clustering" and "no target" in advice["task"]["reason"]
    assert [f["value"] for f in advice["families"]] == ["kmeans", "gaussian_mixture", "hdbscan"]
