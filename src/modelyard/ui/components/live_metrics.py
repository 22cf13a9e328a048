"""An endpoint's live numbers per model version, and a form to record one prediction's truth."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.entities import VersionMetrics
from modelyard.ui.components.cards import section
from modelyard.ui.components.tables import column, plain_table
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import metric, metric_name

COLUMNS = [
    column("version", "Model version"),
    column("n_predictions", "Predictions", align="right"),
    column("n_feedback", "Feedback", align="right"),
    column("metrics", "Live metrics"),
]


class LiveMetrics:
    """The "Live metrics" card: a table from the feedback service, refreshed after feedback."""

    def __init__(self, actor: Actor, endpoint: str, metrics: list[VersionMetrics]) -> None:
        self._actor = actor
        self._endpoint = endpoint
        with section("Live metrics", "insights", marker="live-metrics"):
            ui.label(
                "Predictions served per model version, and metrics over those with feedback "
                "(the true value, recorded below or through the API)."
            ).classes("text-grey-7")
            self._table = plain_table(_rows(metrics), COLUMNS, marker="live-metrics-table")
            with ui.row().classes("items-end gap-3").mark("feedback-form"):
                self._prediction_id = (
                    ui.input("Prediction id").classes("w-80").mark("feedback-prediction-id")
                )
                self._actual = ui.input("Actual value").classes("w-48").mark("feedback-actual")
                ui.button("Record feedback", icon="done", on_click=guarded(self._record)).mark(
                    "record-feedback"
                )

    @classmethod
    async def create(cls, actor: Actor, endpoint: str) -> LiveMetrics:
        metrics = await call(services().feedback.metrics, actor, endpoint)
        return cls(actor, endpoint, metrics)

    async def _record(self) -> None:
        prediction_id = str(self._prediction_id.value or "").strip()
        await call(services().feedback.record, self._actor, prediction_id, _actual(self._actual))
        ui.notify("Feedback recorded.", type="positive")
        self._prediction_id.set_value("")
        self._actual.set_value("")
        metrics = await call(services().feedback.metrics, self._actor, self._endpoint)
        self._table.rows = _rows(metrics)


def _actual(field: ui.input) -> object:
    """The typed value: a number when it reads as one, else the text (a class label)."""
    text = str(field.value or "").strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _rows(metrics: list[VersionMetrics]) -> list[dict[str, object]]:
    return [
        {
            "id": m.model_version_id,
            "version": f"{m.model_name} version {m.model_version}",
            "n_predictions": m.n_predictions,
            "n_feedback": m.n_feedback,
            "metrics": ", ".join(f"{metric_name(k)} {metric(v)}" for k, v in m.metrics.items())
            or "—",
        }
        for m in metrics
    ]
