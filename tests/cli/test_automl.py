"""The headless contract: `modelyard automl fit` and `modelyard predict DIR` (no server)."""

import json

import pandas as pd
from typer.testing import CliRunner

from modelyard.cli.main import app
from tests.factories import churn_frame

runner = CliRunner()


def test_fit_then_predict_a_model_folder(tmp_path):
    train = tmp_path / "train.csv"
    churn_frame(300).to_csv(train, index=False)
    new = tmp_path / "new.parquet"
    churn_frame(20, seed=5).drop(columns="churned").to_parquet(new)
    out = tmp_path / "model"
    result = runner.invoke(
        app,
        [
            "automl",
            "fit",
            str(train),
            "--target",
            "churned",
            "--time-budget",
            "4",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["task"] == "classification" and summary["test_metrics"]["accuracy"] > 0.6
    metadata = json.loads((out / "modelyard.json").read_text())
    assert [f["name"] for f in metadata["features"]][:2] == ["tenure", "spend"] and metadata[
        "leaderboard"
    ]
    predictions = tmp_path / "predictions.csv"
    result = runner.invoke(app, ["predict", str(out), str(new), "--out", str(predictions)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(predictions)
    assert (
        list(scores.columns) == ["prediction", "probability_no", "probability_yes"]
        and len(scores) == 20
    )

    import mlflow.sklearn  # the folder is a plain MLflow model too

    assert (
        len(
            mlflow.sklearn.load_model(str(out / "model")).predict(
                churn_frame(5).drop(columns="churned")
            )
        )
        == 5
    )


def test_bad_headless_input_says_what_is_wrong(tmp_path):
    train = tmp_path / "train.csv"
    churn_frame(100).to_csv(train, index=False)
    result = runner.invoke(
        app,
        [
            "automl",
            "fit",
            str(train),
            "--target",
            "nope",
            "--time-budget",
            "2",
            "--out",
            str(tmp_path / "m"),
        ],
    )
    assert result.exit_code == 1 and "nope" in result.output
    assert not (tmp_path / "m").exists()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x").write_text("keep me")
    result = runner.invoke(
        app, ["automl", "fit", str(train), "--target", "churned", "--out", str(taken)]
    )
    assert (
        result.exit_code == 1
        and "not empty" in result.output
        and (taken / "x").read_text() == "keep me"
    )
    result = runner.invoke(app, ["predict", str(taken), str(train)])
    assert result.exit_code == 1 and "not a Modelyard model folder" in result.output
