"""The train form's "Advanced" expansion: preprocessing, imbalance, threshold, selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from nicegui import ui

from modelyard.domain.training import TrainingOptions

_LABELS = {
    "imputation": "Missing values",
    "scaling": "Scaling",
    "encoding": "Categories",
    "interactions": "Interaction features",
    "resampling": "Class imbalance",
    "feature_selection": "Feature selection",
}


def choices(name: str) -> tuple[str, ...]:
    """The values TrainingOptions allows for ``name`` (its Literal), default first."""
    annotation = TrainingOptions.model_fields[name].annotation
    literal = next((a for a in get_args(annotation) if get_args(a)), annotation)
    return tuple(str(v) for v in get_args(literal))


def advanced_options() -> Callable[[], TrainingOptions]:
    """Draw the expansion; the returned function reads it as TrainingOptions."""
    fields: dict[str, Any] = {}
    with ui.expansion("Advanced", icon="tune").classes("w-full").mark("train-advanced"):
        with ui.row().classes("w-full gap-3"):
            for name, label in _LABELS.items():
                values = choices(name)
                fields[name] = ui.select(list(values), label=label, value=values[0])
                fields[name].classes("min-w-48").mark(f"option-{name}")
            threshold = ui.select(
                ["default", *choices("threshold_metric")],
                label="Decision threshold for",
                value="default",
            )
            fields["threshold_metric"] = threshold.classes("min-w-48").mark(
                "option-threshold_metric"
            )
            fields["max_features"] = (
                ui.number("Max features", min=1, precision=0)
                .classes("w-36")
                .mark("option-max_features")
            )

        with ui.row().classes("items-center gap-2").mark("option-cost-matrix"):
            ui.label("Or costs (binary):").classes("text-sm text-grey-7")
            costs = [
                ui.number(label, precision=2).classes("w-24").mark(f"cost-{key}")
                for key, label in (
                    ("tn", "True neg."),
                    ("fp", "False pos."),
                    ("fn", "False neg."),
                    ("tp", "True pos."),
                )
            ]

    def read() -> TrainingOptions:
        values = {name: field.value for name, field in fields.items()}
        given = [c.value for c in costs]
        if all(v is not None for v in given):
            values["cost_matrix"] = [[given[0], given[1]], [given[2], given[3]]]
        if values["threshold_metric"] == "default":
            values["threshold_metric"] = None
        values["max_features"] = int(values["max_features"]) if values["max_features"] else None
        return TrainingOptions(**values)

    return read
