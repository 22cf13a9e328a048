"""`modelyard automl fit` with preprocessing, selection and threshold flags, then predict."""

import json

import pandas as pd
from typer.testing import CliRunner

from modelyard.cli.main import app
from tests.factories import churn_frame

runner = CliRunner()


def test_fit_with_preprocessing_options_then_predict(tmp_path):
    train = tmp_path / "train.csv"
    frame = churn_frame(200)
    frame.loc[::5, "spend"] = None
    frame.to_csv(train, index=False)
    new = tmp_path / "new.csv"
    churn_frame(15, seed=4).drop(columns="churned").to_csv(new, index=False)
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
            "8",
            "--out",
            str(out),
            "--imputation",
            "knn",
            "--scaling",
            "robust",
            "--feature-selection",
            "mutual_info",
            "--threshold-metric",
            "f1",
            "--families",
            "linear,svm",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    metadata = json.loads((out / "modelyard.json").read_text())
    assert metadata["options"]["imputation"] == "knn" and metadata["options"]["scaling"] == "robust"
    assert 0 < metadata["decision_threshold"] < 1
    assert metadata["feature_ranking"][0]["method"] == "mutual_info"
    predictions = tmp_path / "predictions.csv"
    result = runner.invoke(app, ["predict", str(out), str(new), "--out", str(predictions)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(predictions)
    assert len(scores) == 15 and set(scores["prediction"]) <= {"yes", "no"}


def test_bad_option_value_says_which_values_are_valid(tmp_path):
    train = tmp_path / "train.csv"
    churn_frame(60).to_csv(train, index=False)
    result = runner.invoke(
        app,
        ["automl", "fit", str(train), "-t", "churned", "-o", str(tmp_path / "m")]
        + ["--imputation", "magic"],
    )
    assert result.exit_code == 1 and "knn, iterative" in result.output
    result = runner.invoke(
        app,
        ["automl", "fit", str(train), "-t", "churned", "-o", str(tmp_path / "m")]
        + ["--cost-matrix", "1,2"],
    )
    assert result.exit_code == 1 and "TN_COST,FP_COST,FN_COST,TP_COST" in result.output
