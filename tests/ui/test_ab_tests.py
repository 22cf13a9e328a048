"""A/B tests from the pages: start one in the dialog, read the arms and chart, promote."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.services.container import Services
from tests.abtest_data import log_ab_traffic
from tests.ui.conftest import WAIT, eventually, sign_in
from tests.ui.test_governance import make_model_version


async def test_an_editor_runs_an_ab_test_and_promotes_the_winner(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    a = make_model_version(app_services, admin, tmp_path)
    b = app_services.models.register(admin, a.run_id)
    endpoint = app_services.deployments.create(admin, "churn", a.id)

    await sign_in(user)
    await user.open("/ab-tests")
    await user.should_see(marker="nav-a/b tests")
    await user.should_see("No A/B tests yet", retries=WAIT)
    user.find(marker="new-ab-test").click()
    user.find(kind=ui.select, marker="ab-endpoint").elements.pop().set_value("churn")
    user.find(kind=ui.select, marker="ab-control").elements.pop().set_value(a.id)
    user.find(kind=ui.select, marker="ab-treatment").elements.pop().set_value(a.id)
    user.find(marker="create-ab-test").click()
    await user.should_see("same model version", retries=WAIT)  # said in the dialog
    user.find(kind=ui.select, marker="ab-treatment").elements.pop().set_value(b.id)
    user.find(kind=ui.number, marker="ab-min-samples").elements.pop().set_value(50)
    user.find(marker="create-ab-test").click()
    await user.should_see(marker="ab-test-heading", retries=WAIT)
    await user.should_see("Keep collecting")
    (test,) = app_services.ab_tests.list(admin).items

    user.find(marker="promote-winner").click()
    await user.should_see("no winner yet", retries=WAIT)

    log_ab_traffic(app_services, admin, endpoint.id, {a.id: 0.5, b.id: 0.9}, n=120)
    await user.open(f"/ab-tests/{test.id}")
    await user.should_see("The treatment wins", retries=WAIT)
    await user.should_see(marker="arms")
    (chart,) = user.find(kind=ui.echart, marker="ab-chart").elements
    names = [s["name"] for s in chart.options["series"]]
    assert any(n.startswith("control") and n.endswith("band") for n in names)
    assert any(n.startswith("treatment") and n.endswith("band") for n in names)
    assert len(chart.options["series"][-1]["data"]) > 5  # the metric over time
    axis = chart.options["xAxis"]  # from the start to the last bucket, not ECharts' guess
    started = app_services.ab_tests.get(admin, test.id).started_at  # moved back by the log
    assert axis["min"] == started.isoformat()
    assert axis["max"] == chart.options["series"][-1]["data"][-1][0]

    user.find(marker="promote-note").type("B is clearly better")
    user.find(marker="promote-winner").click()
    await user.should_see(marker="promotion-link", retries=WAIT)
    request_id = app_services.ab_tests.get(admin, test.id).promotion_request_id
    request = app_services.approvals.get(admin, request_id)
    assert (request.model_version_id, request.status, request.note) == (
        b.id,
        "pending",
        "B is clearly better",
    )
    await user.open("/ab-tests")
    (table,) = user.find(kind=ui.table, marker="ab-tests").elements
    await eventually(lambda: [r["status"] for r in table.rows] == ["concluded"])
