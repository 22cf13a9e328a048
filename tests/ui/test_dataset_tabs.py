"""The dataset page's tabs: profile, quality and cleaning, dictionary, versions and lineage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor, DatasetVersion, JobStatus
from modelyard.services.container import Services
from tests.factories import make_dataset_version, wait_for_job
from tests.ui.conftest import TRAINING_WAIT, WAIT, eventually, sign_in


def messy_frame(n_rows: int = 120) -> pd.DataFrame:
    """Customers with an id, a constant column and gaps: the profile has things to suggest."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n_rows)],
            "tenure": rng.normal(24, 6, n_rows).round(1),
            "spend": rng.exponential(40, n_rows).round(2),
            "plan": rng.choice(["basic", "premium"], n_rows),
            "country": "NL",
            "churned": rng.choice(["yes", "no"], n_rows),
        }
    )
    frame.loc[::10, "tenure"] = None
    return frame


def messy_version(services: Services, admin: Actor, tmp_path: Path) -> DatasetVersion:
    return make_dataset_version(services, admin, tmp_path, name="customers", frame=messy_frame())


def profiled(services: Services, admin: Actor, version: DatasetVersion) -> list[dict]:
    """Profile through the service (the page's own button is tested once, below)."""
    job = services.profiles.start(admin, version.id, target="churned")
    assert wait_for_job(services, admin, job.id).status is JobStatus.SUCCEEDED
    profile = services.profiles.latest(admin, version.id).profile
    assert profile is not None
    return profile["suggestions"]


def version_select(user: User) -> ui.select:
    (select,) = user.find(kind=ui.select, marker="version-select").elements
    return select


async def lands_on_version(user: User, number: int, *, left: ui.select) -> None:
    """Wait until the page that held ``left`` gave way to the page of version ``number``."""

    def shown() -> int | None:
        selects = user.find(kind=ui.select, marker="version-select").elements - {left}
        return next(iter(selects)).value if len(selects) == 1 else None

    await eventually(lambda: shown() == number)


def only(user: User, kind: type, marker: str):
    (element,) = user.find(kind=kind, marker=marker).elements
    return element


async def test_profiling_a_version_shows_its_profile_quality_score_and_suggestions(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = messy_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}?tab=profile")
    await user.should_see(marker="no-profile")
    only(user, ui.select, "start-profile-target").set_value("churned")
    user.find(marker="start-profile").click()
    await user.should_see(marker="job-monitor", retries=WAIT)
    await user.should_see(marker="profile-toolbar", retries=TRAINING_WAIT)

    await user.should_see(marker="column-card-tenure")
    histogram = only(user, ui.echart, "histogram-tenure")
    assert sum(histogram.options["series"][0]["data"]) == 108  # 120 rows, 12 missing
    await user.should_see(marker="box-spend")
    await user.should_see(marker="correlation-heatmap")
    await user.should_see(marker="missing-patterns")
    await user.should_see(marker="mutual-info")
    balance = only(user, ui.echart, "class-balance")
    assert set(balance.options["yAxis"]["data"]) == {"yes", "no"}

    score = app_services.profiles.latest(admin, version.id).quality_score
    gauge = only(user, ui.echart, "quality-gauge")
    assert gauge.options["series"][0]["data"][0]["value"] == round(score, 1)
    await user.should_see(marker="quality-breakdown")
    with user.scope(marker="suggestions"):
        await user.should_see("country")  # the constant column
        await user.should_see("customer_id")  # the identifier
    await user.should_see(marker="suggestion-0")

    user.find(marker="download-report").click()
    report = await user.download.next(timeout=10)
    assert b"<html" in report.content[:500].lower()


async def test_applying_a_suggestion_lands_on_version_2_with_its_lineage(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = messy_version(app_services, admin, tmp_path)
    suggestions = profiled(app_services, admin, version)
    drop_constant = next(i for i, s in enumerate(suggestions) if s["columns"] == ["country"])
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}?tab=quality")
    user.find(marker="apply-suggestions").click()
    await user.should_see("Choose at least one cleaning step.", retries=WAIT)

    user.find(marker=f"suggestion-{drop_constant}").click()
    page_of_v1 = version_select(user)
    user.find(marker="apply-suggestions").click()
    await lands_on_version(user, 2, left=page_of_v1)
    with user.scope(marker="lineage"):
        await user.should_see("Version 2")
        await user.should_see("drop constant columns: country")
    assert "country" not in {row["name"] for row in only(user, ui.table, "schema").rows}

    user.find(marker="compare-versions").click()
    await user.should_see(marker="diff-columns", retries=WAIT)
    changes = {row["name"]: row["change"] for row in only(user, ui.table, "diff-columns").rows}
    assert changes == {"country": "removed"}

    page_of_v2 = version_select(user)
    page_of_v2.set_value(1)
    await lands_on_version(user, 1, left=page_of_v2)
    await user.should_see(marker="schema", retries=WAIT)
    assert "country" in {row["name"] for row in only(user, ui.table, "schema").rows}


async def test_editing_the_data_dictionary_keeps_the_description(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = messy_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}?tab=schema")
    only(user, ui.select, "dictionary-column").set_value("tenure")
    user.find(marker="dictionary-description").type("Months since the first contract")
    user.find(marker="dictionary-unit").type("months")
    only(user, ui.select, "dictionary-role").set_value("feature")
    user.find(marker="save-dictionary").click()
    await user.should_see("Saved the description of tenure.", retries=WAIT)
    rows = {row["name"]: row for row in only(user, ui.table, "schema").rows}
    assert (rows["tenure"]["description"], rows["tenure"]["unit"]) == (
        "Months since the first contract",
        "months",
    )
    info = app_services.datasets.get(admin, version.dataset_id).dictionary["tenure"]
    assert (info.unit, info.role) == ("months", "feature")

    await user.open(f"/datasets/{version.dataset_id}?tab=schema")
    only(user, ui.select, "dictionary-column").set_value("tenure")
    assert only(user, ui.input, "dictionary-description").value == "Months since the first contract"


async def test_fixing_a_type_and_sampling_make_new_versions(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = messy_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}?tab=schema")
    only(user, ui.select, "fix-type-column").set_value("tenure")
    user.find(marker="fix-type").click()
    await user.should_see("Pick a column and its new kind.", retries=WAIT)
    only(user, ui.select, "fix-type-kind").set_value("text")
    page_of_v1 = version_select(user)
    user.find(marker="fix-type").click()
    await lands_on_version(user, 2, left=page_of_v1)
    kinds = {row["name"]: row["kind"] for row in only(user, ui.table, "schema").rows}
    assert kinds["tenure"] in {"text", "categorical"}

    await user.open(f"/datasets/{version.dataset_id}?tab=quality&version=1")
    only(user, ui.select, "sample-method").set_value("systematic")
    user.find(marker="sample-size").clear().type("30")
    page_of_v1 = version_select(user)
    user.find(marker="create-sample").click()
    await lands_on_version(user, 3, left=page_of_v1)
    with user.scope(marker="version-rows"):
        await user.should_see("30")
    with user.scope(marker="lineage"):
        await user.should_see("systematic sample of 30 rows")


async def test_the_sql_tab_queries_the_version_shown(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = messy_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}?tab=sql")
    assert only(user, ui.codemirror, "sql-editor").value == 'SELECT * FROM "customers" LIMIT 100'
    user.find(marker="run-sql").click()
    await user.should_see("100 rows", retries=WAIT)
    assert len(only(user, ui.table, "sql-results").rows) == 50


async def test_an_unknown_version_says_so(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    version = messy_version(app_services, admin, tmp_path)
    await sign_in(user)
    await user.open(f"/datasets/{version.dataset_id}?version=7")
    await user.should_see("This dataset has no version 7; it has versions 1 to 1.")
