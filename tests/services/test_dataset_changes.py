import pandas as pd
import pytest

from modelyard.domain import ColumnInfo
from modelyard.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from tests.factories import churn_frame, make_dataset_version, make_run


def test_the_data_dictionary_is_editable_per_column(services, admin, viewer, tmp_path):
    version = make_dataset_version(services, admin, tmp_path)
    info = ColumnInfo(description="Months as a customer", unit="months", role="feature")
    dataset = services.datasets.update_dictionary(admin, version.dataset_id, "tenure", info)
    assert dataset.dictionary["tenure"].unit == "months"
    assert services.datasets.get(admin, version.dataset_id).dictionary["tenure"] == info
    with pytest.raises(InvalidInputError, match="no column 'nope'"):
        services.datasets.update_dictionary(admin, version.dataset_id, "nope", info)
    with pytest.raises(PermissionDeniedError):
        services.datasets.update_dictionary(viewer, version.dataset_id, "tenure", info)


def test_changing_types_makes_a_new_version_with_lineage(services, admin, tmp_path):
    frame = pd.DataFrame(
        {"zip": [1234, 5678, 91011], "flag": ["yes", "no", "yes"], "n": ["1", "2", "x"]}
    )
    version = make_dataset_version(services, admin, tmp_path, name="codes", frame=frame)
    fixed = services.dataset_changes.change_types(
        admin, version.id, {"zip": "categorical", "flag": "boolean"}
    )
    kinds = {c.name: c.kind for c in fixed.columns}
    assert (kinds["zip"], kinds["flag"]) == ("categorical", "boolean")
    assert fixed.version == 2 and fixed.parent_version_id == version.id
    assert fixed.source["steps"][0] == {"step": "cast", "column": "zip", "kind": "categorical"}
    lineage = services.dataset_changes.lineage(admin, fixed.id)
    assert [a.id for a in lineage.ancestors] == [version.id]
    assert services.datasets.preview(admin, fixed.id)[0]["flag"] is True


def test_a_cast_that_does_not_fit_changes_nothing(services, admin, tmp_path):
    frame = pd.DataFrame({"n": ["1", "2", "x"]})
    version = make_dataset_version(services, admin, tmp_path, name="nums", frame=frame)
    with pytest.raises(InvalidInputError, match="'n' cannot become integer"):
        services.dataset_changes.change_types(admin, version.id, {"n": "integer"})
    with pytest.raises(InvalidInputError, match="kinds"):
        services.dataset_changes.change_types(admin, version.id, {"n": "complex"})
    with pytest.raises(InvalidInputError, match="Unknown column"):
        services.dataset_changes.change_types(admin, version.id, {"zz": "integer"})
    assert services.datasets.list_versions(admin, version.dataset_id).total == 1


def test_diff_shows_schema_rows_and_statistics(services, admin, tmp_path):
    first = make_dataset_version(services, admin, tmp_path)
    changed = churn_frame().drop(columns=["age"]).assign(region="north").head(150)
    changed.loc[0, "tenure"] = None
    second = make_dataset_version(services, admin, tmp_path, frame=changed)
    diff = services.dataset_changes.diff(admin, first.id, second.id)
    assert (diff.rows_before, diff.rows_after) == (200, 150)
    by_name = {c.name: c for c in diff.columns}
    assert by_name["age"].change == "removed" and by_name["region"].change == "added"
    assert by_name["tenure"].before["missing"] == 0 and by_name["tenure"].after["missing"] == 1
    with pytest.raises(NotFoundError):
        services.dataset_changes.diff(admin, first.id, 999)


def test_lineage_lists_the_runs_that_used_a_version(services, admin, tmp_path):
    run = make_run(services, admin, tmp_path)
    assert services.dataset_changes.lineage(admin, run.dataset_version_id).run_ids == [run.id]
