"""`modelyard datasets ...` beyond upload: profile, suggestions, clean, sample, types,
dictionary, diff, lineage, report, versions and background uploads, against the real app."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.factories import churn_frame, write_csv


@pytest.fixture
def messy_csv(tmp_path):
    """A table with a constant column, an identifier, missing values and repeated rows."""
    frame = churn_frame(n_rows=120)
    frame["customer_id"] = np.arange(len(frame))
    frame["country"] = "NO"
    frame.loc[:9, "spend"] = None
    return write_csv(tmp_path, pd.concat([frame, frame.iloc[:4]]), name="messy.csv")


def upload(cli, path, *args: str) -> dict:
    result = cli("datasets", "upload", str(path), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_profile_cleaning_and_lineage_from_the_command_line(cli, messy_csv, tmp_path) -> None:
    first = upload(cli, messy_csv)

    profiled = cli("datasets", "profile", str(first["id"]), "--target", "churned", "--wait")

    assert profiled.exit_code == 0, profiled.output
    assert "Quality score: " in profiled.stdout and "/100" in profiled.stdout
    assert "completeness:" in profiled.stdout and "uniqueness:" in profiled.stdout
    assert "drop_constant_columns" in profiled.stdout and "--suggested" in profiled.stdout
    listed = cli("datasets", "suggestions", str(first["id"]))
    assert "deduplicate_rows" in listed.stdout and "country" in listed.stdout
    steps = json.loads(cli("datasets", "suggestions", str(first["id"]), "--json").stdout)
    assert {"drop_constant_columns", "drop_identifier_columns", "deduplicate_rows"} <= {
        step["kind"] for step in steps
    }

    cleaned = cli("datasets", "clean", str(first["id"]), "--suggested", "--json")

    assert cleaned.exit_code == 0, cleaned.output
    second = json.loads(cleaned.stdout)
    assert (second["version"], second["parent_version_id"]) == (2, first["id"])
    assert second["n_rows"] == 120 and "country" not in [c["name"] for c in second["columns"]]
    diff = cli("datasets", "diff", str(first["id"]), str(second["id"]))
    assert diff.exit_code == 0, diff.output
    assert "rows 124 -> 120" in diff.stdout
    assert any("country" in line and "removed" in line for line in diff.stdout.splitlines())
    lineage = cli("datasets", "lineage", str(second["id"]))
    assert lineage.exit_code == 0, lineage.output
    assert "upload messy.csv" in lineage.stdout and "deduplicate_rows" in lineage.stdout
    parents = json.loads(cli("datasets", "lineage", str(second["id"]), "--json").stdout)
    assert [a["id"] for a in parents["ancestors"]] == [first["id"]]
    report = tmp_path / "report.html"
    written = cli("datasets", "report", str(first["id"]), "--out", str(report))
    assert written.exit_code == 0, written.output
    assert "<html" in report.read_text(encoding="utf-8").lower()


def test_clean_takes_steps_as_json_or_a_file_and_refuses_bad_ones(cli, messy_csv, tmp_path) -> None:
    version = upload(cli, messy_csv)["id"]
    steps_file = tmp_path / "steps.json"
    steps_file.write_text(json.dumps({"steps": [{"kind": "deduplicate_rows"}]}))

    from_file = cli("datasets", "clean", str(version), "--steps", str(steps_file))
    inline = cli(
        "datasets",
        "clean",
        str(version),
        "--steps",
        '[{"kind": "impute", "columns": ["spend"], "method": "median"}]',
        "--json",
    )

    assert from_file.exit_code == 0, from_file.output
    assert "version 2" in from_file.stdout and "120 rows" in from_file.stdout
    assert json.loads(inline.stdout)["version"] == 3
    neither = cli("datasets", "clean", str(version))
    assert neither.exit_code == 2 and "--suggested or --steps" in neither.output
    bad_json = cli("datasets", "clean", str(version), "--steps", "[{nope")
    assert bad_json.exit_code == 1 and "valid JSON" in bad_json.stderr
    bad_step = cli("datasets", "clean", str(version), "--steps", '[{"kind": "teleport"}]')
    assert bad_step.exit_code == 1 and "Cleaning step" in bad_step.stderr
    not_profiled = cli("datasets", "clean", str(version), "--suggested")
    assert not_profiled.exit_code == 1 and "no profile yet" in not_profiled.stderr
    assert json.loads(cli("datasets", "versions", "1", "--json").stdout)["total"] == 3


def test_sample_types_and_versions(cli, tmp_path) -> None:
    first = upload(cli, write_csv(tmp_path))

    sampled = cli(
        "datasets",
        "sample",
        str(first["id"]),
        "--method",
        "random",
        "--size",
        "50",
        "--seed",
        "1",
        "--json",
    )
    stratified = cli(
        "datasets",
        "sample",
        str(first["id"]),
        "--method",
        "stratified",
        "--size",
        "40",
        "--column",
        "churned",
    )
    cast = cli(
        "datasets", "types", str(first["id"]), "is_online=categorical", "plan=text", "--json"
    )

    assert sampled.exit_code == 0, sampled.output
    assert json.loads(sampled.stdout)["n_rows"] == 50
    assert "Sampled (stratified)" in stratified.stdout and "40 rows" in stratified.stdout
    assert cast.exit_code == 0, cast.output
    kinds = {c["name"]: c["kind"] for c in json.loads(cast.stdout)["columns"]}
    assert kinds["is_online"] == "categorical"
    versions = cli("datasets", "versions", str(first["dataset_id"]))
    assert (
        "cast is_online to categorical" in versions.stdout and "sample random 50" in versions.stdout
    )
    assert cli("datasets", "types", str(first["id"]), "is_online").exit_code == 2
    unknown = cli("datasets", "types", str(first["id"]), "plan=magic")
    assert unknown.exit_code == 1 and "Give each column one of the kinds" in unknown.stderr
    too_big = cli("datasets", "sample", str(first["id"]), "--method", "magic", "--size", "5")
    assert too_big.exit_code == 1 and "Sampling method must be one of" in too_big.stderr


def test_describe_changes_only_what_is_given(cli, tmp_path) -> None:
    dataset = upload(cli, write_csv(tmp_path))["dataset_id"]

    cli("datasets", "describe", str(dataset), "tenure", "--description", "Months as a customer")
    described = cli("datasets", "describe", str(dataset), "tenure", "--unit", "months", "--json")

    assert described.exit_code == 0, described.output
    assert json.loads(described.stdout) == {
        "description": "Months as a customer",
        "unit": "months",
        "role": "",
    }
    shown = cli("datasets", "show", str(dataset))
    assert "Months as a customer" in shown.stdout and "months" in shown.stdout
    read = cli("datasets", "describe", str(dataset), "tenure")
    assert "unit:" in read.stdout and "months" in read.stdout
    unknown = cli("datasets", "describe", str(dataset), "nope", "--unit", "kg")
    assert unknown.exit_code == 1 and "has no column 'nope'" in unknown.stderr


def test_background_upload_waits_and_prints_the_version(cli, tmp_path) -> None:
    path = write_csv(tmp_path, name="big.csv")

    waited = cli("datasets", "upload", str(path), "--background")
    queued = cli(
        "datasets", "upload", str(path), "--name", "other", "--background", "--no-wait", "--json"
    )

    assert waited.exit_code == 0, waited.output
    assert "Ingested big.csv: dataset 1, version 1" in waited.stdout and "200 rows" in waited.stdout
    job = json.loads(queued.stdout)
    assert job["kind"] == "ingest" and job["status"] in {"queued", "running", "succeeded"}
