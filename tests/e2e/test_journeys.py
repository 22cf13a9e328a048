"""Real-browser journeys: what a new user does in the first minutes, without reading code."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PASSWORD
from tests.factories import churn_frame

pytestmark = pytest.mark.e2e


def _sign_in(page, server: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_wrong_password_is_refused_in_the_browser(page, server):  # type: ignore[no-untyped-def]
    _sign_in(page, server, password="not-the-password")
    page.get_by_text("Wrong username or password.").first.wait_for()
    assert "/login" in page.url


def test_login_upload_train_register_deploy_predict(page, server, tmp_path):  # type: ignore[no-untyped-def]
    csv = tmp_path / "customers.csv"
    churn_frame().to_csv(csv, index=False)
    _sign_in(page, server)
    page.get_by_text("Welcome, admin.").wait_for()

    page.goto(f"{server}/datasets")
    page.locator("input[type=file]").set_input_files(str(csv))
    page.wait_for_url(re.compile(r".*/datasets/\d+"), timeout=60_000)
    page.get_by_text("customers").first.wait_for()

    page.get_by_label("Target column").click()
    page.get_by_role("option", name="churned").click()
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+"))
    page.get_by_role("button", name="Register model").wait_for(timeout=120_000)
    assert page.get_by_text("succeeded").first.is_visible()

    page.get_by_role("button", name="Register model").click()
    page.wait_for_url(re.compile(r".*/models$"))
    page.get_by_role("button", name="Deploy").first.click()
    page.wait_for_url(re.compile(r".*/deployments/.+"))
    page.get_by_text("Test the endpoint").wait_for()

    for field, value in {
        "tenure": "0.5",
        "spend": "1.2",
        "calls": "-0.3",
        "age": "0.1",
        "plan": "premium",
    }.items():
        page.get_by_label(re.compile(rf"^{field} \(")).fill(value)
    page.get_by_role("button", name="Predict").click()
    page.get_by_text(re.compile(r"version 1 · \d+ ms · prediction id")).wait_for(timeout=60_000)
    predicted = page.locator(".text-3xl").filter(has_text=re.compile(r"^(yes|no)$"))
    assert predicted.count() == 1 and predicted.is_visible()
