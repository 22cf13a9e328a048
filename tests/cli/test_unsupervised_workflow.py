"""`modelyard train --task anomaly` on a server, then predict through the endpoint."""

import csv
import json

import numpy as np
import pandas as pd


def test_train_anomaly_deploy_and_predict_flags_and_scores(cli, tmp_path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(120, 2)), columns=["a", "b"])
    frame.loc[:3, ["a", "b"]] = 9.0
    frame.to_csv(tmp_path / "points.csv", index=False)
    uploaded = cli("datasets", "upload", str(tmp_path / "points.csv"), "--json")
    version = json.loads(uploaded.stdout)
    trained = cli(
        "train",
        str(version["id"]),
        "--task",
        "anomaly",
        "--contamination",
        "0.05",
        "--time-budget",
        "3",
        "--max-trials",
        "2",
        "--json",
    )
    assert trained.exit_code == 0, trained.output
    run = json.loads(trained.stdout)
    assert run["task"] == "anomaly" and "stability" in run["metrics"]
    model = json.loads(cli("models", "register", str(run["id"]), "--json").stdout)
    assert cli("deploy", str(model["id"]), "--name", "points").exit_code == 0
    frame.head(6).to_csv(tmp_path / "new.csv", index=False)

    predicted = cli(
        "predict", "points", str(tmp_path / "new.csv"), "--out", str(tmp_path / "p.csv")
    )

    assert predicted.exit_code == 0, predicted.output
    with (tmp_path / "p.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["anomaly", "anomaly_score"]
    assert [row["anomaly"] for row in rows] == ["1"] * 4 + ["0"] * 2


def test_contamination_out_of_range_is_refused_by_the_server(cli, tmp_path) -> None:
    pd.DataFrame({"a": range(30), "b": [i % 7 for i in range(30)]}).to_csv(
        tmp_path / "p.csv", index=False
    )
    version = json.loads(cli("datasets", "upload", str(tmp_path / "p.csv"), "--json").stdout)
    refused = cli("train", str(version["id"]), "--task", "anomaly", "--contamination", "0.9")
    assert refused.exit_code == 1 and "contamination" in refused.output
