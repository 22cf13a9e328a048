"""`modelyard endpoints traffic|canary|canary-advance|canary-abort|rollback|history`."""

from __future__ import annotations

import json


def _arms(result) -> dict[int, int]:
    assert result.exit_code == 0, result.output
    return {a["model_version_id"]: a["weight"] for a in json.loads(result.output)["arms"]}


def test_traffic_canary_rollback_and_history_from_the_command_line(served) -> None:
    sdk, cli = served.sdk, served.cli
    first = sdk.endpoints.get(served.endpoint).model_version_id
    second = sdk.models.register(sdk.models.get(first).run_id).id
    sdk.endpoints.create("traffic-cli", first)
    name = "traffic-cli"

    split = cli(
        "endpoints",
        "traffic",
        name,
        "--arm",
        f"{first}=80",
        "--arm",
        f"{second}=20",
        "--note",
        "A/B",
        "--json",
    )
    assert _arms(split) == {first: 80, second: 20}
    bad = cli("endpoints", "traffic", name, "--arm", f"{first}=70")
    assert bad.exit_code == 1 and "sum to 70" in bad.output
    assert cli("endpoints", "traffic", name, "--arm", "oops").exit_code == 2
    shadow = cli("endpoints", "traffic", name, "--arm", f"{first}=100", "--shadow", str(second))
    assert shadow.exit_code == 0 and "shadow" in shadow.output
    assert _arms(cli("endpoints", "rollback", name, "--note", "undo", "--json")) == {
        first: 80,
        second: 20,
    }
    cli("endpoints", "traffic", name, "--arm", f"{first}=100")
    started = cli("endpoints", "canary", name, str(second), "--steps", "10,50", "--json")
    assert _arms(started) == {first: 90, second: 10}
    assert _arms(cli("endpoints", "canary-advance", name, "--json")) == {first: 50, second: 50}
    aborted = cli("endpoints", "canary-abort", name, "--note", "errors up", "--json")
    assert _arms(aborted) == {first: 100}

    history = cli("endpoints", "history", name)
    assert history.exit_code == 0, history.output
    assert "canary.abort" in history.output and "errors up" in history.output
    listed = json.loads(cli("endpoints", "history", name, "--json").output)
    assert [r["revision"] for r in listed] == list(range(8, 0, -1))
    at = cli("endpoints", "history", name, "--at", listed[-1]["created_at"], "--json")
    assert at.exit_code == 0, at.output
    assert json.loads(at.output)["revision"] == 1
