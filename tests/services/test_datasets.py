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
    ("table.xlsx", b"PK\x03\x04 not really excel", "dataset.unsupported_format", "not supported"),
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
