import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from modelyard.db.tables import SqlDataset, SqlDatasetVersion
from modelyard.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from tests.factories import churn_frame, make_dataset_version, write_csv


def _count(services, table):
    with services.uow.begin() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_upload_makes_a_parquet_version_with_schema(services, admin, tmp_path):
    version = make_dataset_version(services, admin, tmp_path)
    assert (version.version, version.n_rows, version.n_columns) == (1, 200, 7)
    kinds = {c.name: c.kind for c in version.columns}
    assert kinds == {
        "tenure": "numeric",
        "spend": "numeric",
        "calls": "numeric",
        "age": "numeric",
        "plan": "categorical",
        "is_online": "boolean",
        "churned": "categorical",
    }
    with services.artifacts.open(
        f"datasets/{version.content_hash[:2]}/{version.content_hash}.parquet"
    ) as fh:
        assert pq.read_table(fh).num_rows == 200


def test_identical_content_is_the_same_version_and_new_content_a_new_one(services, admin, tmp_path):
    first = make_dataset_version(services, admin, tmp_path)
    again = make_dataset_version(services, admin, tmp_path)
    changed = make_dataset_version(services, admin, tmp_path, frame=churn_frame(seed=1))
    assert again.id == first.id
    assert changed.version == 2 and changed.content_hash != first.content_hash
    assert services.datasets.get(admin, changed.dataset_id).latest_version.id == changed.id


def test_preview_returns_json_safe_rows(services, admin, tmp_path):
    frame = churn_frame()
    frame.loc[0, "tenure"] = None
    version = make_dataset_version(services, admin, tmp_path, frame=frame)
    rows = services.datasets.preview(admin, version.id, limit=3)
    assert len(rows) == 3 and rows[0]["tenure"] is None and rows[0]["plan"] in ("basic", "premium")


def test_parquet_and_tsv_uploads_work(services, admin, tmp_path):
    parquet = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(churn_frame()), parquet)
    assert services.datasets.upload(admin, "pq", parquet, filename="t.parquet").n_rows == 200
    tsv = tmp_path / "t.tsv"
    churn_frame().to_csv(tsv, sep="\t", index=False)
    assert services.datasets.upload(admin, "tsv", tsv, filename="t.tsv").n_columns == 7


def test_semicolon_csv_is_sniffed(services, admin, tmp_path):
    path = tmp_path / "semi.csv"
    churn_frame().to_csv(path, sep=";", index=False)
    assert services.datasets.upload(admin, "semi", path, filename="semi.csv").n_columns == 7


BAD_FILES = [
    ("empty.csv", b"", "dataset.empty_file", "is empty"),
    ("header.csv", b"a,b,c\n", "dataset.no_rows", "no rows"),
    ("garbage.csv", bytes(range(256)) * 20, "dataset.not_tabular", "binary"),
    ("ragged.csv", b"a,b\n1,2\n3,4,5\n", "dataset.unreadable", "different numbers of fields"),
    ("dupes.csv", b"a,a\n1,2\n", "dataset.duplicate_columns", "repeated: a"),
    ("blank.csv", b"a,,c\n1,2,3\n", "dataset.empty_column_name", "no name"),
    ("table.xlsx", b"PK\x03\x04 not really excel", "dataset.unreadable", "not a readable .xlsx"),
    ("letter.docx", b"PK\x03\x04 a document", "dataset.unsupported_format", "not supported"),
    ("broken.json", b'[{"a": 1},', "dataset.unreadable", "not valid JSON"),
    ("scalar.json", b"[1, 2, 3]", "dataset.not_tabular", "list of objects"),
    ("fake.parquet", b"PAR1 but not parquet", "dataset.unreadable", "not a valid Parquet"),
]


@pytest.mark.parametrize(("filename", "content", "code", "fragment"), BAD_FILES)
def test_bad_files_get_a_clear_error_and_leave_nothing_behind(
    services, admin, tmp_path, filename, content, code, fragment
):
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=fragment) as info:
        services.datasets.upload(admin, "bad", path, filename=filename)
    assert info.value.code == code
    assert _count(services, SqlDataset) == 0 and _count(services, SqlDatasetVersion) == 0
    assert not services.artifacts.exists("datasets")


def test_windows_encoded_csv_is_decoded(services, admin, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,score\nJos\xe9,1\nZo\xeb,2\n".encode("cp1252"))
    version = services.datasets.upload(admin, "latin", path, filename="latin.csv")
    assert [row["name"] for row in services.datasets.preview(admin, version.id)] == [
        "Jos\xe9",
        "Zo\xeb",
    ]


def test_files_over_the_limit_are_refused(services, admin, tmp_path):
    services.datasets._max_upload_bytes = 100
    with pytest.raises(InvalidInputError, match="the limit is 100"):
        services.datasets.upload(admin, "big", write_csv(tmp_path), filename="churn.csv")


def test_viewers_cannot_upload_and_unknown_ids_are_not_found(services, viewer, admin, tmp_path):
    with pytest.raises(PermissionDeniedError):
        services.datasets.upload(viewer, "x", write_csv(tmp_path), filename="churn.csv")
    with pytest.raises(NotFoundError):
        services.datasets.get_version(admin, 12345)


def test_list_searches_by_name(services, admin, tmp_path):
    make_dataset_version(services, admin, tmp_path, name="customers")
    make_dataset_version(
        services, admin, tmp_path, name="orders", frame=pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    )
    assert [d.name for d in services.datasets.list(admin, search="cust").items] == ["customers"]
    assert services.datasets.list(admin).total == 2


def test_sample_data_is_the_penguins(services, admin):
    version = services.datasets.create_sample(admin)
    assert version.n_rows == 344 and "species" in [c.name for c in version.columns]


def test_excel_sheet_with_merged_cells_and_formulas(services, admin, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "notes"
    sheet = workbook.create_sheet("data")
    sheet.append(["region", "units", "price", "total"])
    sheet.append(["north", 2, 3.5, "=B2*C2"])
    sheet.append(["south", 4, 1.0, "=B3*C3"])
    sheet.merge_cells("A4:A5")
    sheet["A4"] = "east"
    sheet["B4"], sheet["C4"] = 1, 2.0
    sheet["B5"], sheet["C5"] = 5, 1.5
    path = tmp_path / "upload"  # as the API stages it: no .xlsx suffix on disk
    workbook.save(path)
    with pytest.raises(InvalidInputError, match="sheets are: notes, data") as info:
        services.datasets.upload(admin, "sales", path, filename="sales.xlsx", sheet="missing")
    assert info.value.code == "dataset.unknown_sheet"
    version = services.datasets.upload(admin, "sales", path, filename="sales.xlsx", sheet="data")
    rows = services.datasets.preview(admin, version.id)
    assert [r["region"] for r in rows] == [
        "north",
        "south",
        "east",
        None,
    ]  # merged: first cell only
    assert (
        rows[0]["units"] == 2 and rows[0]["total"] is None
    )  # never calculated by Excel: no cached value


def test_json_and_ndjson_records(services, admin, tmp_path):
    array = tmp_path / "rows.json"
    array.write_text('{"data": [{"a": 1, "b": "x"}, {"a": 2, "c": {"nested": true}}]}')
    version = services.datasets.upload(admin, "rows", array, filename="rows.json")
    assert [c.name for c in version.columns] == ["a", "b", "c"]
    assert services.datasets.preview(admin, version.id)[1]["c"] == '{"nested": true}'
    lines = tmp_path / "rows.ndjson"
    lines.write_text('{"a": 1}\n{"a": 2}\n{"a": 3}\n')
    assert services.datasets.upload(admin, "lines", lines, filename="rows.ndjson").n_rows == 3


def test_decimal_commas_and_headerless_files(services, admin, tmp_path):
    european = tmp_path / "eu.csv"
    european.write_text("city;price\nOslo;1,5\nRome;2,25\n")
    version = services.datasets.upload(admin, "eu", european, filename="eu.csv")
    assert services.datasets.preview(admin, version.id)[1]["price"] == 2.25
    headerless = tmp_path / "numbers.csv"
    headerless.write_text("1,2,3\n4,5,6\n")
    version = services.datasets.upload(admin, "numbers", headerless, filename="numbers.csv")
    assert [c.name for c in version.columns] == ["column_1", "column_2", "column_3"]
    assert version.n_rows == 2


def test_ten_thousand_columns_are_accepted(services, admin, tmp_path):
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(10_000))
    path.write_text(header + "\n" + ",".join("1" for _ in range(10_000)) + "\n")
    assert services.datasets.upload(admin, "wide", path, filename="wide.csv").n_columns == 10_000


def test_big_files_can_be_ingested_as_a_job(services, admin, tmp_path):
    from tests.factories import wait_for_job

    job = services.datasets.upload_in_background(
        admin, "churn", write_csv(tmp_path), filename="churn.csv"
    )
    finished = wait_for_job(services, admin, job.id)
    assert finished.status.value == "succeeded", finished.error_message
    version = services.datasets.get_version(admin, finished.result["dataset_version_id"])
    assert version.n_rows == 200
    assert not services.artifacts.exists(job.params["staged"])  # the staged copy is gone


def test_a_bad_file_ingested_as_a_job_fails_cleanly(services, admin, tmp_path):
    from tests.factories import wait_for_job

    path = tmp_path / "header.csv"
    path.write_text("a,b\n")
    job = services.datasets.upload_in_background(admin, "bad", path, filename="header.csv")
    finished = wait_for_job(services, admin, job.id)
    assert (finished.status.value, finished.error_code) == ("failed", "dataset.no_rows")
    assert services.datasets.list(admin).total == 0 and not services.artifacts.exists(
        job.params["staged"]
    )
