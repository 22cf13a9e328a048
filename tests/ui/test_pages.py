"""Projects, the navigation and the pages that are not built yet."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from tests.ui.conftest import WAIT, sign_in

NAVIGATION = [
    "Home",
    "Projects",
    "Datasets",
    "SQL",
    "Training",
    "Models",
    "Deployments",
    "Monitoring",
    "Admin",
]


async def test_every_section_is_in_the_navigation(user: User) -> None:
    await sign_in(user)
    for label in NAVIGATION:
        await user.should_see(marker=f"nav-{label.lower()}")
    user.find(marker="nav-models").click()
    await user.should_see(marker="models-empty", retries=WAIT)


async def test_creating_a_project_records_its_objective(user: User) -> None:
    await sign_in(user)
    await user.open("/projects")
    await user.should_see(marker="projects-empty")
    user.find(marker="new-project").click()
    user.find(marker="project-name").type("Churn")
    user.find(marker="project-description").type("Keep customers")
    user.find(marker="objective-decision").type("Whom to call this week")
    user.find(marker="objective-target").type("churned")
    user.find(marker="objective-success_metric").type("recall at 10%")
    user.find(marker="create-project").click()
    await user.should_see(marker="project-heading", retries=WAIT)
    await user.should_see("Whom to call this week")
    (status,) = user.find(kind=ui.badge, marker="project-status").elements
    assert status.text == "draft"
    await user.open("/projects")
    (table,) = user.find(kind=ui.table, marker="projects").elements
    assert [(r["name"], r["target"]) for r in table.rows] == [("Churn", "churned")]


async def test_a_duplicate_project_name_is_refused(user: User) -> None:
    await sign_in(user)
    for _ in range(2):
        await user.open("/projects")
        user.find(marker="new-project").click()
        user.find(marker="project-name").type("Churn")
        user.find(marker="create-project").click()
    await user.should_see("A project named 'Churn' exists already.", retries=WAIT)


async def test_monitoring_says_plainly_that_it_is_not_built_yet(user: User) -> None:
    await sign_in(user)
    await user.open("/monitoring")
    await user.should_see("Drift and performance monitoring arrive in a later release.")
    with user.scope(marker="monitoring-not-yet"):
        await user.should_not_see(ui.button)
