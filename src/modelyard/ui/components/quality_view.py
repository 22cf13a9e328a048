"""Data quality: the score with its breakdown, the issues, and the fixes that make new versions.

Cleaning suggestions come from the profile as step dicts; the chosen ones go back to the
profiles service unchanged. Sampling is offered here too: both derive a new version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from modelyard.domain import Actor, DatasetVersion
from modelyard.services.profiles import SAMPLE_METHODS
from modelyard.ui.components.cards import section
from modelyard.ui.components.charts import gauge_chart, score_bars
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded

Doc = dict[str, Any]
OnVersion = Callable[[DatasetVersion], None]

PARTS = ("completeness", "uniqueness", "validity", "consistency", "outliers")


def quality_view(
    actor: Actor, version: DatasetVersion, profile: Doc, on_version: OnVersion
) -> None:
    quality = profile["quality"]
    with ui.row().classes("w-full gap-4 no-wrap items-stretch"):
        with ui.card().classes("w-80 shrink-0 items-center gap-0").mark("quality-score"):
            ui.label("Data quality score").classes("text-lg font-semibold self-start")
            gauge_chart(quality["score"], label="out of 100", marker="quality-gauge")
        with ui.card().classes("grow gap-2"):
            score_bars(
                {part: quality[part] for part in PARTS},
                title="Breakdown (each 0-100)",
                marker="quality-breakdown",
            )
    _issues(quality.get("issues", []))
    SuggestionList(actor, version, profile.get("suggestions", []), on_version)


def _issues(issues: list[str]) -> None:
    with section("Issues", "report_problem", marker="quality-issues"):
        if not issues:
            ui.label("No issues found.").classes("text-grey-7")
        for issue in issues:
            with ui.row().classes("items-center gap-2 no-wrap"):
                ui.icon("warning_amber", color="orange-8")
                ui.label(issue).mark("quality-issue")


class SuggestionList:
    """The cleaning suggestions as a checklist; the chosen ones make a new version."""

    def __init__(
        self, actor: Actor, version: DatasetVersion, suggestions: list[Doc], on_version: OnVersion
    ) -> None:
        self._actor = actor
        self._version = version
        self._on_version = on_version
        self._boxes: list[tuple[ui.checkbox, Doc]] = []
        with section("Cleaning suggestions", "cleaning_services", marker="suggestions"):
            if not suggestions:
                ui.label("Nothing to clean: no suggestions for this version.").classes(
                    "text-grey-7"
                )
                return
            ui.label(
                f"Pick the steps to apply; they make version {version.version}'s cleaned "
                "successor, with the steps recorded in its lineage."
            ).classes("text-grey-7 text-sm")
            for index, step in enumerate(suggestions):
                self._boxes.append((_suggestion(index, step), step))
            with ui.row().classes("items-center gap-3"):
                ui.button(
                    "Apply selected", icon="auto_fix_high", on_click=guarded(self._apply)
                ).mark("apply-suggestions")
                ui.button("Select all", on_click=lambda: self._select(True)).props("flat")
                ui.button("Select none", on_click=lambda: self._select(False)).props("flat")

    def _select(self, value: bool) -> None:
        for box, _ in self._boxes:
            box.set_value(value)

    async def _apply(self) -> None:
        steps = [step for box, step in self._boxes if box.value]
        created = await call(services().profiles.clean, self._actor, self._version.id, steps)
        ui.notify(f"Version {created.version}: {created.n_rows:,} rows", type="positive")
        self._on_version(created)


def _suggestion(index: int, step: Doc) -> ui.checkbox:
    kind = str(step.get("kind", "")).replace("_", " ")
    detail = step.get("method") or step.get("to")
    columns = ", ".join(step.get("columns") or []) or "all columns"
    with ui.row().classes("w-full items-start gap-2 no-wrap"):
        box = ui.checkbox().mark(f"suggestion-{index}")
        with ui.column().classes("gap-0"):
            with ui.row().classes("items-center gap-2"):
                ui.badge(kind + (f" ({detail})" if detail else "")).props("outline")
                ui.label(columns).classes("font-medium")
            ui.label(step.get("reason", "")).classes("text-grey-7 text-sm")
    return box


def sample_form(actor: Actor, version: DatasetVersion, on_version: OnVersion) -> None:
    """Draw a sample of this version as a new version."""

    async def create() -> None:
        created = await call(
            services().profiles.sample,
            actor,
            version.id,
            method=method.value,
            size=int(size.value or 0),
            seed=int(seed.value or 0),
            column=column.value or None,
        )
        ui.notify(f"Version {created.version}: a sample of {created.n_rows:,} rows")
        on_version(created)

    with section("Sample", "filter_alt", marker="sample-form"):
        ui.label(
            "Random, stratified by a column (keeps its shares), systematic (every k-th row) "
            "or cluster-based (covers each region of the data)."
        ).classes("text-grey-7 text-sm")
        with ui.row().classes("items-end gap-3"):
            method = ui.select(list(SAMPLE_METHODS), label="Method", value="random")
            method.classes("w-40").mark("sample-method")
            default = max(1, min(1000, version.n_rows // 2))
            size = ui.number("Rows", value=default, min=1, precision=0).classes("w-32")
            size.mark("sample-size")
            seed = ui.number("Seed", value=0, precision=0).classes("w-24").mark("sample-seed")
            names = [c.name for c in version.columns]
            column = ui.select(names, label="Column (stratified)", clearable=True)
            column.classes("w-56").mark("sample-column")
            column.bind_visibility_from(method, "value", value="stratified")
            ui.button("Create sample", icon="content_cut", on_click=guarded(create)).mark(
                "create-sample"
            )
