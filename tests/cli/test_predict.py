"""`modelyard predict ENDPOINT INPUT_FILE`: CSV or JSON in, predictions CSV out, clear errors."""

from __future__ import annotations

import csv
import io
import json

from tests.factories import churn_frame


def features(n_rows: int = 4):  # type: ignore[no-untyped-def]
    return churn_frame(n_rows=n_rows, seed=2).drop(columns="churned")


def test_csv_json_list_and_json_records_give_the_same_predictions(served, tmp_path) -> None:
    frame = features()
    frame.to_csv(tmp_path / "in.csv", index=False)
    records = frame.to_dict(orient="records")  # full float precision, as in the CSV
    (tmp_path / "list.json").write_text(json.dumps(records))
    (tmp_path / "records.json").write_text(json.dumps({"records": records}))

    outputs = [
        served.cli("predict", "churn", str(tmp_path / name))
        for name in ("in.csv", "list.json", "records.json")
    ]

    assert [o.exit_code for o in outputs] == [0, 0, 0], [o.output for o in outputs]
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout
    rows = list(csv.DictReader(io.StringIO(outputs[0].stdout)))
    assert len(rows) == 4 and set(rows[0]) == {"prediction", "probability_no", "probability_yes"}


def test_a_file_missing_a_column_gets_the_schema_message(served, tmp_path) -> None:
    features().drop(columns="tenure").to_csv(tmp_path / "in.csv", index=False)

    result = served.cli(
        "predict", "churn", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv")
    )

    assert result.exit_code == 1
    assert "does not match the model's input schema: missing field(s) tenure" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_an_unknown_endpoint_is_named(served, tmp_path) -> None:
    features().to_csv(tmp_path / "in.csv", index=False)

    result = served.cli("predict", "nope", str(tmp_path / "in.csv"))

    assert result.exit_code == 1
    assert "No endpoint named 'nope'" in result.stderr


def test_a_json_file_without_records_is_refused(served, tmp_path) -> None:
    (tmp_path / "in.json").write_text('{"rows": []}')

    result = served.cli("predict", "churn", str(tmp_path / "in.json"))

    assert result.exit_code == 1
    assert 'must hold a list of records or {"records": [...]}' in result.stderr


def test_text_in_a_numeric_column_is_reported_by_field(served, tmp_path) -> None:
    frame = features().astype({"spend": object})
    frame.loc[0, "spend"] = "lots"
    frame.to_csv(tmp_path / "in.csv", index=False)

    result = served.cli("predict", "churn", str(tmp_path / "in.csv"))

    assert result.exit_code == 1
    assert "field 'spend': expected a number, got str 'lots'" in result.stderr
