"""The endpoint's test form explains a prediction with a bar chart of contributions."""

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.services.container import Services
from tests.factories import make_family_deployment
from tests.ui.conftest import WAIT, sign_in


async def test_the_test_form_shows_contributions_when_asked(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    make_family_deployment(app_services, admin, tmp_path, "lightgbm")
    await sign_in(user)
    await user.open("/deployments/churn")
    await user.should_see(marker="test-form", retries=WAIT)
    for name, value in {"tenure": "1.5", "spend": "-0.3", "calls": "0.2", "age": "1"}.items():
        user.find(marker=f"field-{name}").type(value)
    user.find(marker="field-plan").type("basic")
    user.find(marker="explain").click()
    user.find(marker="predict").click()
    await user.should_see(marker="contributions", retries=WAIT)
    (chart,) = user.find(kind=ui.echart, marker="contributions").elements
    assert set(chart.options["yAxis"]["data"]) <= {
        "tenure",
        "spend",
        "calls",
        "age",
        "plan",
        "is_online",
    }
