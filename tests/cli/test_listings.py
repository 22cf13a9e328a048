"""Every listing and show command prints a table for people and parseable JSON with --json."""

from __future__ import annotations

import json

import pytest

LISTINGS = [
    ("datasets", "list"),
    ("datasets", "show", "{dataset_id}"),
    ("datasets", "preview", "{version_id}"),
    ("datasets", "versions", "{dataset_id}"),
    ("datasets", "lineage", "{version_id}"),
    ("sql", "tables"),
    ("sql", "history"),
    ("connections", "list"),
    ("projects", "list"),
    ("projects", "show", "{project_id}"),
    ("jobs", "list"),
    ("jobs", "show", "{job_id}"),
    ("jobs", "logs", "{job_id}"),
    ("models", "list"),
    ("models", "show", "{model_id}"),
    ("endpoints", "list"),
    ("endpoints", "show", "churn"),
    ("endpoints", "history", "churn"),
]


@pytest.fixture(scope="package")
def ids(served) -> dict[str, int]:
    sdk = served.sdk
    dataset = sdk.datasets.list().items[0]
    assert dataset.latest_version is not None
    return {
        "dataset_id": dataset.id,
        "version_id": dataset.latest_version.id,
        "project_id": sdk.projects.list().items[0].id,
        "job_id": sdk.jobs.list().items[0].id,
        "model_id": sdk.models.list().items[0].id,
    }


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_json_output_parses(served, ids, command) -> None:
    result = served.cli(*(part.format(**ids) for part in command), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_people_get_text(served, ids, command) -> None:
    result = served.cli(*(part.format(**ids) for part in command))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    assert not result.stdout.lstrip().startswith(("{", "["))


def test_an_empty_list_says_so(cli) -> None:
    assert cli("models", "list").stdout.strip() == "No models yet."


def test_projects_create_then_list(cli) -> None:
    created = json.loads(
        cli("projects", "create", "churn", "--description", "Who leaves?", "--json").stdout
    )

    listed = json.loads(cli("projects", "list", "--json").stdout)

    assert [p["id"] for p in listed["items"]] == [created["id"]]
    assert listed["total"] == 1
