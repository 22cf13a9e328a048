"""A/B tests: the list, a "New A/B test" dialog, and one test with its arms and chart."""

from __future__ import annotations

from nicegui import ui

from modelyard.domain import Actor
from modelyard.domain.ab_tests import ABTest, ABTestResults, ABTestStatus
from modelyard.ui.components.ab_test_chart import arm_chart
from modelyard.ui.components.badges import status_badge
from modelyard.ui.components.tables import Rows, SearchableTable, column
from modelyard.ui.context import call, services
from modelyard.ui.errors import guarded
from modelyard.ui.formatting import when
from modelyard.ui.layout import page

COLUMNS = [
    column("name", "A/B test"),
    column("endpoint", "Endpoint"),
    column("control", "Control (A)"),
    column("treatment", "Treatment (B)"),
    column("metric", "Metric"),
    column("status", "Status"),
    column("started", "Started"),
]
METRICS = {None: "default for the task", "accuracy": "accuracy", "conversion": "conversion"}
METRICS |= {"mae": "MAE (regression)", "rmse": "RMSE (regression)"}


@page("/ab-tests", "A/B tests")
async def ab_tests_page(actor: Actor) -> None:
    async def load(search: str | None) -> Rows:
        found = await call(services().ab_tests.list, actor, limit=200)
        rows = [_row(test) for test in found.items]
        needle = (search or "").lower()
        return [r for r in rows if needle in f"{r['name']} {r['endpoint']}".lower()]

    dialog = await _create_dialog(actor)
    table = SearchableTable(
        load,
        columns=COLUMNS,
        href="'/ab-tests/' + props.row.id",
        marker="ab-tests",
        empty_text="No A/B tests yet: compare two model versions on an endpoint.",
    )
    with table.toolbar:
        ui.button("New A/B test", icon="add", on_click=dialog.open).mark("new-ab-test")
    await table.refresh()


@page("/ab-tests/{test_id}", "A/B test")
async def ab_test_page(actor: Actor, test_id: int) -> None:
    results = await call(services().ab_tests.results, actor, test_id)
    test = results.test
    with ui.row().classes("items-center gap-3"):
        ui.label(test.name).classes("text-xl font-semibold").mark("ab-test-heading")
        status_badge(test.status.value, marker="ab-test-status")
    ui.label(
        f"Endpoint {test.endpoint} · metric {test.metric} · alpha {test.alpha:g} · "
        f"at least {test.min_samples} per arm · split "
        f"{1 - test.treatment_share:.0%} / {test.treatment_share:.0%} · started "
        f"{when(test.started_at)} by {test.created_by}"
    ).classes("text-sm text-grey-7")
    with ui.card().classes("w-full gap-1").mark("recommendation"):
        ui.label("Recommendation").classes("text-lg font-semibold")
        ui.label(results.recommendation).mark("recommendation-text")
        ui.label(_test_line(results)).classes("text-sm text-grey-7").mark("test-line")
        if test.conclusion and test.status is not ABTestStatus.RUNNING:
            ui.label(f"Conclusion: {test.conclusion}").classes("text-sm")
        if test.promotion_request_id is not None:
            ui.link(
                f"Promotion request #{test.promotion_request_id} (approvals)", "/approvals"
            ).mark("promotion-link")
    _arms_table(results)
    arm_chart(results, marker="ab-chart")
    _actions(actor, test, results)


def _test_line(results: ABTestResults) -> str:
    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.4g}"

    return (
        f"Difference B - A: {number(results.difference)} "
        f"[{number(results.difference_lower)}, {number(results.difference_upper)}] · lift "
        f"{'-' if results.lift is None else f'{results.lift:+.1%}'} · always-valid p = "
        f"{results.p_value:.3g}"
    )


def _arms_table(results: ABTestResults) -> None:
    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    columns = [
        column("arm", "Arm"),
        column("model", "Model version"),
        column("n_predictions", "Predictions"),
        column("n_feedback", "With feedback"),
        column("value", results.metric.value),
        column("band", "Confidence band"),
    ]
    rows = [
        {
            "arm": arm.arm,
            "model": arm.label,
            "n_predictions": arm.n_predictions,
            "n_feedback": arm.n_feedback,
            "value": number(arm.value),
            "band": f"{number(arm.lower)} - {number(arm.upper)}",
        }
        for arm in results.arms
    ]
    ui.table(columns=columns, rows=rows, row_key="arm").classes("w-full").mark("arms")


def _actions(actor: Actor, test: ABTest, results: ABTestResults) -> None:
    async def stop() -> None:
        stopped = await call(services().ab_tests.stop, actor, test.id)
        ui.notify(f"A/B test {stopped.id} is stopped.", type="positive")
        ui.navigate.to(f"/ab-tests/{test.id}")

    async def promote() -> None:
        done = await call(
            services().ab_tests.promote_winner, actor, test.id, note=note.value.strip()
        )
        ui.notify(
            f"Promotion request #{done.promotion_request_id} waits for an approver.",
            type="positive",
        )
        ui.navigate.to(f"/ab-tests/{test.id}")

    if test.status is ABTestStatus.CONCLUDED:
        return
    with ui.card().classes("w-full gap-2").mark("ab-actions"):
        error = ui.label().classes("text-negative").mark("ab-error")
        error.set_visibility(False)
        note = ui.input("Note for the approver").classes("w-full").mark("promote-note")
        with ui.row().classes("gap-2"):
            if test.status is ABTestStatus.RUNNING:
                ui.button("Stop", icon="stop", on_click=guarded(stop, show_in=error)).props(
                    "outline"
                ).mark("stop-ab-test")
            button = ui.button(
                "Promote the winner", icon="emoji_events", on_click=guarded(promote, show_in=error)
            ).mark("promote-winner")
            if results.winner_version_id is None:
                button.props("outline")


def _row(test: ABTest) -> dict[str, object]:
    return {
        "id": test.id,
        "name": test.name,
        "endpoint": test.endpoint,
        "control": test.control_label,
        "treatment": test.treatment_label,
        "metric": test.metric.value,
        "status": test.status.value,
        "started": when(test.started_at),
    }


async def _create_dialog(actor: Actor) -> ui.dialog:
    endpoints = await call(services().deployments.list, actor, limit=500)
    versions = await call(services().models.list, actor, limit=500)
    options = {v.id: f"{v.name} v{v.version} (id {v.id})" for v in versions.items}

    async def create() -> None:
        test = await call(
            services().ab_tests.create,
            actor,
            endpoint.value or "",
            int(control.value or 0),
            int(treatment.value or 0),
            metric=metric.value,
            min_samples=int(min_samples.value or 100),
        )
        ui.navigate.to(f"/ab-tests/{test.id}")

    with ui.dialog() as dialog, ui.card().classes("w-[36rem] gap-2").mark("ab-test-dialog"):
        ui.label("New A/B test").classes("text-lg font-semibold")
        endpoint = (
            ui.select([e.name for e in endpoints.items], label="Endpoint")
            .classes("w-full")
            .mark("ab-endpoint")
        )
        control = ui.select(options, label="Control (A)").classes("w-full").mark("ab-control")
        treatment = ui.select(options, label="Treatment (B)").classes("w-full").mark("ab-treatment")
        metric = ui.select(METRICS, value=None, label="Metric").classes("w-full").mark("ab-metric")
        min_samples = (
            ui.number(
                "Predictions with feedback per arm before a winner", value=100, min=10, format="%d"
            )
            .classes("w-full")
            .mark("ab-min-samples")
        )
        ui.label(
            "Starting a test splits the endpoint's live traffic between the two versions "
            "(a new deployment revision, in the endpoint's history)."
        ).classes("text-sm text-grey-7")
        error = ui.label().classes("text-negative").mark("ab-create-error")
        error.set_visibility(False)
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Start", on_click=guarded(create, show_in=error)).mark("create-ab-test")
    return dialog
