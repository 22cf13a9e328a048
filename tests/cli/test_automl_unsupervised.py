"""`modelyard automl fit --task clustering|anomaly` and `modelyard predict DIR` on it."""

import json

import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs
from typer.testing import CliRunner

from modelyard.cli.main import app

runner = CliRunner()


def _blobs(n=150, seed=0):
    X, _ = make_blobs(n_samples=n, centers=3, n_features=2, random_state=seed, cluster_std=0.7)
    frame = pd.DataFrame(X, columns=["width", "height"])
    frame["shade"] = np.where(X[:, 0] > 0, "dark", "light")
    return frame


def _fit(tmp_path, frame, *options):
    train = tmp_path / "train.csv"
    frame.to_csv(train, index=False)
    out = tmp_path / "model"
    args = ["automl", "fit", str(train), "--time-budget", "3", "--out", str(out), "--json"]
    return runner.invoke(app, [*args, *options]), out


def _predict(tmp_path, out, frame):
    new = tmp_path / "new.csv"
    frame.to_csv(new, index=False)
    predictions = tmp_path / "predictions.csv"
    result = runner.invoke(app, ["predict", str(out), str(new), "--out", str(predictions)])
    assert result.exit_code == 0, result.output
    return pd.read_csv(predictions)


def test_clustering_folder_predicts_a_cluster_column(tmp_path):
    result, out = _fit(tmp_path, _blobs(), "--task", "clustering", "--n-clusters", "3")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["task"] == "clustering" and summary["test_metrics"]["silhouette"] > 0.5
    metadata = json.loads((out / "modelyard.json").read_text())
    assert sum(metadata["report"]["cluster_sizes"].values()) == 150
    scores = _predict(tmp_path, out, _blobs(12, seed=0))
    assert list(scores.columns) == ["cluster"] and set(scores["cluster"]) <= {0, 1, 2}


def test_anomaly_folder_predicts_a_flag_and_a_score(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(150, 2)), columns=["a", "b"])
    frame.loc[:4, ["a", "b"]] = 9.0
    result, out = _fit(tmp_path, frame, "--task", "anomaly", "--contamination", "0.05")
    assert result.exit_code == 0, result.output
    scores = _predict(tmp_path, out, frame.head(10))
    assert list(scores.columns) == ["anomaly", "anomaly_score"]
    assert scores["anomaly"].head(5).tolist() == [1] * 5
    assert scores["anomaly_score"].head(5).min() > scores["anomaly_score"].tail(5).max()


def test_clustering_without_a_usable_feature_says_so(tmp_path):
    frame = pd.DataFrame({"id": range(50), "constant": ["same"] * 50})
    result, out = _fit(tmp_path, frame, "--task", "clustering")
    assert result.exit_code == 1
    assert "No usable feature column for clustering" in result.output
    assert not out.exists()


def test_contamination_outside_its_range_is_refused(tmp_path):
    result, out = _fit(tmp_path, _blobs(), "--task", "anomaly", "--contamination", "0.7")
    assert result.exit_code == 1 and "contamination must be in (0, 0.5]" in result.output
    assert not out.exists()


def test_supervised_fit_without_target_asks_for_one(tmp_path):
    result, _out = _fit(tmp_path, _blobs())
    assert result.exit_code == 1 and "--target is required" in result.output
