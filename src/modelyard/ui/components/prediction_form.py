"""A test form for an endpoint, generated from the served model's input schema."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from modelyard.domain import Actor, ModelVersion, PredictionResult
from modelyard.domain.entities import ColumnSchema
from modelyard.ui.components.charts import bar_chart
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded

NUMERIC_KINDS = ("numeric", "integer")
EXPLAIN_TOP_K = 8


class PredictionForm:
    """One input per feature (empty means missing); Predict calls the endpoint in-process."""

    def __init__(self, actor: Actor, endpoint: str, model: ModelVersion) -> None:
        self._actor = actor
        self._endpoint = endpoint
        with ui.card().classes("w-full gap-3").mark("test-form"):
            ui.label("Test the endpoint").classes("text-lg font-semibold")
            ui.label("Leave a field empty to send it as missing.").classes("text-grey-7")
            with ui.grid().classes("w-full grid-cols-1 sm:grid-cols-2 md:grid-cols-3 gap-3"):
                self._fields = {c.name: _field(c) for c in model.feature_columns}
            with ui.row().classes("items-center gap-4"):
                ui.button("Predict", icon="bolt", on_click=guarded(self._predict)).mark("predict")
                self._explain = ui.checkbox("Explain (top feature contributions)").mark("explain")
        self._result = ui.column().classes("w-full")

    def record(self) -> dict[str, Any]:
        """The form as one JSON record, as the REST endpoint would receive it."""
        return {name: _value(field.value) for name, field in self._fields.items()}

    async def _predict(self) -> None:
        result = await call(
            services().deployments.predict,
            self._actor,
            self._endpoint,
            [self.record()],
            explain=bool(self._explain.value),
            top_k=EXPLAIN_TOP_K,
        )
        self._result.clear()
        with self._result:
            prediction_view(result)


def _field(column: ColumnSchema) -> Any:
    label = f"{column.name} ({column.kind})"
    if column.kind in NUMERIC_KINDS:
        field: Any = ui.number(label, precision=0 if column.kind == "integer" else None)
    elif column.kind == "boolean":
        field = ui.checkbox(column.name)
    else:
        field = ui.input(label)
    return field.mark(f"field-{column.name}")


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def prediction_view(result: PredictionResult) -> None:
    with ui.card().classes("w-full gap-2").mark("prediction-result"):
        ui.label("Prediction").classes("text-grey-7")
        ui.label(str(result.predictions[0])).classes("text-3xl font-semibold").mark("prediction")
        ui.label(
            f"{result.model_name} version {result.model_version} · "
            f"{result.latency_ms:.0f} ms · prediction id {result.prediction_ids[0]}"
        ).classes("text-sm text-grey-7")
        if result.probabilities:
            bar_chart(
                result.probabilities[0],
                title="Class probabilities",
                marker="probabilities",
                as_percent=True,
            )
        if result.contributions:
            bar_chart(
                result.contributions[0],
                title="Feature contributions (SHAP, raw score)",
                marker="contributions",
            )
