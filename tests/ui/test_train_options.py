"""The train form's Advanced options reach the run; its result shows the feature ranking."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.services.container import Services
from tests.factories import make_dataset_version
from tests.ui.conftest import TRAINING_WAIT, WAIT, sign_in


async def test_advanced_options_are_used_and_the_ranking_is_shown(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = make_dataset_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}")
    await user.should_see(marker="train-advanced", retries=WAIT)
    user.find(kind=ui.select, marker="target-select").elements.pop().set_value("churned")
    user.find(kind=ui.select, marker="option-imputation").elements.pop().set_value("knn")
    selection = user.find(kind=ui.select, marker="option-feature_selection").elements.pop()
    selection.set_value("mutual_info")
    for key, cost in (("tn", 0), ("fp", 1), ("fn", 5), ("tp", 0)):
        user.find(kind=ui.number, marker=f"cost-{key}").elements.pop().set_value(cost)
    user.find(marker="start-training").click()
    await user.should_see(marker="run-result", retries=TRAINING_WAIT)
    await user.should_see(marker="feature-ranking-chart")
    await user.should_see("Feature selection (mutual_info)")
    run = app_services.training.list_runs(admin).items[0]
    assert run.details["options"]["imputation"] == "knn"
    assert run.details["options"]["cost_matrix"] == [[0, 1], [5, 0]]
    assert run.details["decision_threshold"] is not None
