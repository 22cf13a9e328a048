"""The deployment page: arms and weights, shadow, canary, rollback, history, live traffic."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.domain.traffic import ArmRole
from modelyard.services.container import Services
from tests.ui.conftest import WAIT, eventually, sign_in
from tests.ui.test_governance import make_model_version


def _one(user: User, marker: str):
    (element,) = user.find(marker=marker).elements
    return element


async def test_the_deployment_page_changes_traffic_runs_a_canary_and_rolls_back(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    v1 = make_model_version(app_services, admin, tmp_path)
    v2 = app_services.models.register(admin, v1.run_id)
    app_services.deployments.create(admin, "churn", v1.id)
    model = app_services.deployments.served_model(admin, "churn")
    record = {c.name: 0 for c in model.feature_columns} | {"plan": "basic", "is_online": True}
    app_services.deployments.predict(admin, "churn", [record])

    await sign_in(user)
    await user.open("/deployments/churn")
    await user.should_see(marker="history-table", retries=WAIT)  # drawn last
    assert _one(user, "traffic-arms").rows[0]["weight"] == 100

    user.find(marker="add-arm").click()
    _one(user, "arm-version-1").set_value(v2.id)
    _one(user, "arm-weight-0").set_value(70)
    _one(user, "arm-weight-1").set_value(20)
    user.find(marker="apply-traffic").click()
    await user.should_see("sum to 90", retries=WAIT)
    _one(user, "arm-weight-1").set_value(30)
    _one(user, "traffic-note").set_value("try v2")
    user.find(marker="apply-traffic").click()
    await user.should_see("Traffic updated: revision 2.", retries=WAIT)
    weights = {
        a.model_version_id: a.weight for a in app_services.traffic.current(admin, "churn").arms
    }
    assert weights == {v1.id: 70, v2.id: 30}
    await user.should_see(marker=f"served-arm-{v2.id}", retries=WAIT)  # the header follows
    assert "30%" in _one(user, f"served-arm-{v2.id}").text
    table = _one(user, "history-table")
    await eventually(lambda: len(table.rows) == 2)
    assert table.rows[0]["note"] == "try v2"

    user.find(marker="rollback").click()
    user.find(marker="confirm-rollback").click()
    await user.should_see("Rolled back: revision 3.", retries=WAIT)
    assert [a.weight for a in app_services.traffic.current(admin, "churn").arms] == [100]
    await user.should_not_see(marker=f"served-arm-{v2.id}", retries=WAIT)

    _one(user, "canary-version").set_value(v2.id)
    _one(user, "canary-steps").set_value("10,50")
    user.find(marker="canary-start").click()
    await user.should_see(marker="canary-plan", retries=WAIT)
    user.find(marker="canary-advance").click()
    await user.should_see("Canary advance.", retries=WAIT)
    user.find(marker="canary-abort").click()
    await user.should_see("Canary aborted.", retries=WAIT)
    await eventually(lambda: len(table.rows) == 6)

    _one(user, "arm-shadow-0")  # the editor shows the arms of the new revision
    user.find(marker="add-arm").click()
    _one(user, "arm-version-1").set_value(v2.id)
    _one(user, "arm-shadow-1").set_value(True)
    user.find(marker="apply-traffic").click()
    await user.should_see("Traffic updated: revision 7.", retries=WAIT)
    roles = [a.role for a in app_services.traffic.current(admin, "churn").arms]
    assert roles == [ArmRole.LIVE, ArmRole.SHADOW]

    summary = _one(user, "traffic-live-summary")
    await eventually(lambda: "1 requests" in summary.text, timeout_s=30)
    (chart,) = user.find(kind=ui.echart, marker="traffic-chart").elements
    assert chart.options["series"]
