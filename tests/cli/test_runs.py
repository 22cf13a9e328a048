"""`modelyard runs ...` and `train --config` against the served app's trained run."""

from __future__ import annotations

import zipfile
from pathlib import Path

import yaml

from tests.cli.conftest import Served


def test_runs_config_train_from_it_compare_report_and_export(
    served: Served, tmp_path: Path
) -> None:
    (run,) = served.sdk.training.runs().items
    config = tmp_path / "run.yaml"
    result = served.cli("runs", "config", str(run.id), "--out", str(config))
    assert result.exit_code == 0, result.output
    settings = yaml.safe_load(config.read_text())
    assert settings["target"] == "churned" and settings["options"]["max_trials"] == 3

    trained = served.cli("train", "--config", str(config), "--json")
    assert trained.exit_code == 0, trained.output
    second = max(r.id for r in served.sdk.training.runs().items)

    compared = served.cli("runs", "compare", str(run.id), str(second))
    assert compared.exit_code == 0, compared.output
    assert "roc_auc" in compared.output

    report = tmp_path / "report.pdf"
    assert (
        served.cli("runs", "report", str(run.id), "--format", "pdf", "--out", str(report)).exit_code
        == 0
    )
    assert report.read_bytes().startswith(b"%PDF")
    archive = tmp_path / "run.zip"
    assert served.cli("runs", "export", str(run.id), "--out", str(archive)).exit_code == 0
    assert "artifacts/model/MLmodel" in zipfile.ZipFile(archive).namelist()


def test_runs_compare_needs_two_runs(served: Served) -> None:
    result = served.cli("runs", "compare", "1")
    assert result.exit_code == 1
    assert "between 2 and 10" in result.output


def test_train_without_a_dataset_or_config_says_what_to_give(served: Served) -> None:
    result = served.cli("train")
    assert result.exit_code != 0
    assert "--config" in result.output
