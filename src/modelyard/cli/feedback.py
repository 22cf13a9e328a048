"""`modelyard feedback ...`: the true outcomes of predictions, and live endpoint metrics."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, print_json, print_table, show_item
from modelyard.cli.predict import number_or_text
from modelyard.errors import InvalidInputError

app = typer.Typer(
    help="Feedback: true outcomes of logged predictions, and the live metrics they give.",
    no_args_is_help=True,
)

FEEDBACK_FIELDS: list[Column] = [
    ("id", lambda f: f.id),
    ("prediction id", lambda f: f.prediction_id),
    ("model version id", lambda f: f.model_version_id),
    ("actual", lambda f: f.actual.get("value")),
    ("created by", lambda f: f.created_by),
]
METRICS_COLUMNS: list[Column] = [
    ("model", lambda m: f"{m.model_name} v{m.model_version}"),
    ("model version id", lambda m: m.model_version_id),
    ("predictions", lambda m: m.n_predictions),
    ("feedback", lambda m: m.n_feedback),
    ("metrics", lambda m: ", ".join(f"{k}={v:.4g}" for k, v in m.metrics.items()) or None),
]
COLUMNS = ("prediction_id", "actual")


@app.command("send")
def send(
    ctx: typer.Context,
    prediction_id: Annotated[
        str, typer.Argument(metavar="PREDICTION_ID", help="From the prediction's answer.")
    ],
    actual: Annotated[
        str, typer.Argument(metavar="ACTUAL", help="The true label or value (numbers as such).")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Send the true outcome of one prediction."""
    record = get_client(ctx).feedback.record(prediction_id, number_or_text(actual))
    show_item(record, FEEDBACK_FIELDS, as_json=as_json)


@app.command("upload")
def upload(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            exists=True,
            dir_okay=False,
            help="A CSV with the columns prediction_id and actual.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Send the true outcomes of many predictions from a CSV: all are stored, or none."""
    records = get_client(ctx).feedback.record_many(read_feedback(file))
    if as_json:
        return print_json(records)
    typer.echo(f"Stored feedback for {len(records):,} predictions.")


@app.command("metrics")
def metrics(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(metavar="ENDPOINT", help="Endpoint name.")],
    as_json: JsonFlag = False,
) -> None:
    """Live metrics per model version behind an endpoint, from the feedback so far."""
    rows = get_client(ctx).feedback.metrics(endpoint)
    if as_json:
        return print_json(rows)
    if not rows:
        return typer.echo(f"No predictions through {endpoint!r} yet.")
    print_table(rows, METRICS_COLUMNS)


def read_feedback(path: Path) -> list[dict[str, Any]]:
    """The (prediction_id, actual) rows of a CSV; numbers in ``actual`` become numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc}.", code="cli.cannot_read") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInputError(
            f"{path} needs the columns prediction_id and actual; it lacks {', '.join(missing)}.",
            code="cli.feedback_columns",
            details={"missing": missing},
        )
    return [
        {"prediction_id": row["prediction_id"], "actual": number_or_text(row["actual"] or "")}
        for row in reader
    ]
