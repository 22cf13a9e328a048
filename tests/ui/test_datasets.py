"""Getting data in: sample data, uploads, the dataset page and its errors."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from nicegui import ui
from nicegui.testing import User

from modelyard.domain import Actor
from modelyard.services.container import Services
from modelyard.ui.components import dataset_upload
from tests.factories import churn_frame, make_dataset_version
from tests.ui.conftest import TRAINING_WAIT, WAIT, eventually, sign_in


def table_rows(user: User, marker: str) -> list[dict]:
    (table,) = user.find(kind=ui.table, marker=marker).elements
    return table.rows


async def upload(user: User, filename: str, content: bytes, media_type: str = "text/csv") -> None:
    (picker,) = user.find(kind=ui.upload, marker="dataset-upload").elements
    await picker.handle_uploads([ui.upload.SmallFileUpload(filename, media_type, content)])


async def test_the_sample_data_button_creates_the_penguins_dataset(user: User) -> None:
    await sign_in(user)
    await user.should_see(marker="empty-installation")
    user.find(marker="try-sample").click()
    await user.should_see(marker="dataset-name-heading", retries=WAIT)
    await user.should_see("penguins")
    with user.scope(marker="version-rows"):
        await user.should_see("344")
    schema = {row["name"]: row["kind"] for row in table_rows(user, "schema")}
    assert schema["species"] == "categorical"
    assert schema["bill_length_mm"] == "numeric"
    assert len(table_rows(user, "preview")) == 50
    assert user.find(kind=ui.select, marker="target-select").elements.pop().value == "species"


async def test_uploading_a_csv_creates_a_dataset_version(user: User) -> None:
    await sign_in(user)
    await user.open("/datasets")
    await user.should_see(marker="datasets-empty")
    user.find(marker="dataset-name").type("churn")
    await upload(user, "churn.csv", churn_frame().to_csv(index=False).encode())
    await user.should_see(marker="dataset-name-heading", retries=WAIT)
    with user.scope(marker="version-rows"):
        await user.should_see("200")
    assert [row["version"] for row in table_rows(user, "versions")] == [1]


async def test_a_file_of_the_wrong_type_shows_the_services_message(user: User) -> None:
    await sign_in(user)
    await user.open("/datasets")
    await upload(user, "report.docx", b"PK\x03\x04 not a table")
    await user.should_see("files of type '.docx' are not supported", retries=WAIT)
    (error,) = user.find(kind=ui.label, marker="upload-error").elements
    assert error.text.startswith("report.docx: files of type '.docx' are not supported. Upload")
    await user.should_see(marker="datasets-empty")


async def test_searching_datasets_narrows_the_list(
    user: User, app_services: Services, admin: Actor, tmp_path: Path
) -> None:
    make_dataset_version(app_services, admin, tmp_path, name="churn")
    app_services.datasets.create_sample(admin)
    await sign_in(user)
    await user.open("/datasets")
    await user.should_see(marker="datasets")
    assert {row["name"] for row in table_rows(user, "datasets")} == {"churn", "penguins"}
    user.find(marker="datasets-search").type("peng")
    await eventually(lambda: [r["name"] for r in table_rows(user, "datasets")] == ["penguins"])


async def test_an_unknown_dataset_says_so(user: User) -> None:
    await sign_in(user)
    await user.open("/datasets/999")
    await user.should_see("No dataset with id 999.")


async def test_an_excel_upload_reads_the_chosen_sheet(user: User) -> None:
    workbook = io.BytesIO()
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"note": ["read me first"]}).to_excel(writer, sheet_name="About", index=False)
        churn_frame(30).to_excel(writer, sheet_name="Customers", index=False)
    await sign_in(user)
    await user.open("/datasets")
    user.find(marker="dataset-sheet").type("Customers")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    await upload(user, "customers.xlsx", workbook.getvalue(), xlsx)
    await user.should_see(marker="dataset-name-heading", retries=WAIT)
    with user.scope(marker="version-rows"):
        await user.should_see("30")


async def test_a_big_file_is_ingested_by_a_job_that_links_to_the_version(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset_upload, "BACKGROUND_BYTES", 1_000)  # "big" for this test
    await sign_in(user)
    await user.open("/datasets")
    user.find(marker="dataset-name").type("churn")
    await upload(user, "churn.csv", churn_frame().to_csv(index=False).encode())
    await user.should_see(marker="job-monitor", retries=WAIT)
    await user.should_see(marker="open-uploaded", retries=TRAINING_WAIT)
    (link,) = user.find(kind=ui.link, marker="open-uploaded").elements
    assert link.text == "Open version 1"
    user.find(marker="open-uploaded").click()
    await user.should_see(marker="version-rows", retries=WAIT)
    with user.scope(marker="version-rows"):
        await user.should_see("200")
