"""`modelyard predict ENDPOINT|MODEL_DIR INPUT_FILE`: score a file, write a CSV.

The output has a ``prediction`` column plus, for classification, one
``probability_<class>`` column per class, in the order of the input rows.

The first argument picks a *predictor*: a deployed endpoint (through the server), or a
model folder made by ``modelyard automl fit`` (in this process; CSV or Parquet input).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modelyard.cli.context import get_client
from modelyard.errors import InvalidInputError

if TYPE_CHECKING:
    from modelyard.domain.entities import ColumnSchema

Predictions = tuple[list[Any], list[dict[str, float]] | None]  # predictions, probabilities
TaskPredictions = tuple[list[Any], list[dict[str, float]] | None, str]  # ... and the task
Predictor = Callable[[Path], TaskPredictions]

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def predict(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="ENDPOINT|MODEL_DIR",
            help="A deployed endpoint's name, or a model folder from `modelyard automl fit`.",
        ),
    ],
    input_file: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT_FILE",
            exists=True,
            dir_okay=False,
            help='CSV, or JSON: a list of records or {"records": [...]}.',
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", dir_okay=False, help="Write the CSV here (default: stdout)."),
    ] = None,
) -> None:
    """Predict every row of INPUT_FILE; print or write a CSV with the predictions."""
    predictions, probabilities, task = _predictor_for(ctx, target)(input_file)
    text = predictions_csv(predictions, probabilities, task=task)
    if out is None:
        return typer.echo(text, nl=False)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot write {out}: {exc.strerror}.", code="cli.cannot_write"
        ) from exc
    typer.echo(f"Wrote {len(predictions)} predictions to {out}.")


def _predictor_for(ctx: typer.Context, target: str) -> Predictor:
    if Path(target).is_dir():  # a model folder from `modelyard automl fit`: no server needed
        return _folder_predictor(Path(target))
    return _endpoint_predictor(ctx, target)


def _folder_predictor(directory: Path) -> Predictor:
    def run(path: Path) -> TaskPredictions:
        from modelyard.services.model_folders import folder_task, predict_folder

        return (*predict_folder(directory, path), folder_task(directory))

    return run


def _endpoint_predictor(ctx: typer.Context, name: str) -> Predictor:
    def run(path: Path) -> TaskPredictions:
        client = get_client(ctx)
        model = client.endpoints.model(name)
        columns = model.feature_columns if _is_csv(path) else []
        result = client.endpoints.predict(name, read_records(path, columns))
        return result.predictions, result.probabilities, model.task

    return run


def predictions_csv(
    predictions: list[Any], probabilities: list[dict[str, float]] | None, *, task: str = ""
) -> str:
    """One row per prediction: the prediction, then one probability column per class
    (clustering: a ``cluster`` column; anomaly: ``anomaly`` and ``anomaly_score``)."""
    from modelyard.ml.scoring import output_names

    classes = list(probabilities[0]) if probabilities else []
    name, prefix = output_names(task)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name, *(f"{prefix}{label}" for label in classes)])
    for index, prediction in enumerate(predictions):
        shares = probabilities[index] if probabilities else {}
        writer.writerow([prediction, *(shares.get(label) for label in classes)])
    return buffer.getvalue()


def read_records(path: Path, columns: list[ColumnSchema]) -> list[dict[str, Any]]:
    """Rows of a CSV (typed by the model's input schema) or of a JSON file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc}.", code="cli.cannot_read") from exc
    if not _is_csv(path):
        return _json_records(path, text)
    kinds = {column.name: column.kind for column in columns}
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return [
        {name: _typed(value, kinds.get(name, "text")) for name, value in row.items()}
        for row in rows
    ]


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() != ".json"


def _json_records(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path} is not valid JSON: {exc}.", code="cli.bad_json") from exc
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InvalidInputError(
            f'{path} must hold a list of records or {{"records": [...]}}.', code="cli.bad_json"
        )
    return records


def _typed(value: str | None, kind: str) -> Any:
    """A CSV cell as the JSON value the model expects; what does not parse stays text."""
    if value is None or value == "":
        return None
    if kind in ("numeric", "integer"):
        return number_or_text(value)
    if kind == "boolean" and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return value


def number_or_text(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return value  # the server says which field is not a number
    if math.isnan(number):
        return None
    return number if math.isfinite(number) else value
