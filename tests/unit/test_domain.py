import pytest

from modelyard.domain import Actor, JobStatus, Permission, Role
from modelyard.domain.entities import ColumnSchema
from modelyard.domain.inference import MAX_RECORDS, check_records
from modelyard.domain.jobs import may_become
from modelyard.errors import InvalidInputError, PermissionDeniedError

COLUMNS = [
    ColumnSchema(name="age", dtype="int64", kind="integer", missing=0),
    ColumnSchema(name="income", dtype="double", kind="numeric", missing=0),
    ColumnSchema(name="city", dtype="string", kind="categorical", missing=0),
    ColumnSchema(name="is_member", dtype="bool", kind="boolean", missing=0),
]


def test_viewer_may_read_but_not_write():
    viewer = Actor(user_id=1, username="v", workspace_id=1, role=Role.VIEWER)
    assert viewer.can(Permission.READ)
    with pytest.raises(PermissionDeniedError, match="may not upload"):
        viewer.require(Permission.WRITE, "upload")


def test_only_admins_administer():
    approver = Actor(user_id=1, username="a", workspace_id=1, role=Role.APPROVER)
    assert approver.can(Permission.APPROVE) and not approver.can(Permission.ADMIN)


def test_finished_jobs_cannot_restart():
    assert may_become(JobStatus.RUNNING) == {JobStatus.QUEUED}
    assert may_become(JobStatus.CANCELLED) == {JobStatus.QUEUED, JobStatus.RUNNING}
    assert not may_become(JobStatus.QUEUED)
    assert JobStatus.CANCELLED.is_finished and not JobStatus.RUNNING.is_finished


def test_records_matching_the_schema_pass_and_nulls_are_allowed():
    records = [
        {"age": 3, "income": 1.5, "city": "Oslo", "is_member": True},
        {"age": None, "income": None, "city": None, "is_member": None},
    ]
    assert check_records(records, COLUMNS) == records


def test_missing_and_unknown_fields_are_named():
    with pytest.raises(InvalidInputError, match="missing field\\(s\\) city, is_member") as info:
        check_records([{"age": 1, "income": 2.0, "zip": "x"}], COLUMNS)
    problems = info.value.details["problems"]
    assert {"record": 0, "unexpected": ["zip"]} in problems


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("age", "forty", "expected a number"),
        ("income", float("inf"), "finite number"),
        ("is_member", "yes", "true or false"),
        ("city", {"a": 1}, "single value"),
        ("age", True, "expected a number"),
    ],
)
def test_wrong_types_are_refused(field, value, fragment):
    record = {"age": 1, "income": 2.0, "city": "Oslo", "is_member": False, field: value}
    with pytest.raises(InvalidInputError, match=fragment):
        check_records([record], COLUMNS)


@pytest.mark.parametrize("records", [[], {}, "x", None])
def test_records_must_be_a_non_empty_list(records):
    with pytest.raises(InvalidInputError, match="non-empty list"):
        check_records(records, COLUMNS)


def test_too_many_records_are_refused():
    with pytest.raises(InvalidInputError, match="batch scoring"):
        check_records([{}] * (MAX_RECORDS + 1), COLUMNS)
