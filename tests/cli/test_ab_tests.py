"""`modelyard ab-tests ...` through the SDK against the in-process server."""

import json

from tests.abtest_data import log_ab_traffic


def test_ab_tests_from_the_command_line(served):
    sdk, cli = served.sdk, served.cli
    serving = sdk.endpoints.get(served.endpoint)
    run_id = sdk.models.get(serving.model_version_id).run_id
    challenger = sdk.models.register(run_id)

    created = cli(
        "ab-tests", "create", "churn", "--control", str(serving.model_version_id),
        "--treatment", str(challenger.id), "--min-samples", "50", "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    test_id = json.loads(created.output)["id"]
    same = cli("ab-tests", "create", "churn", "--control", "1", "--treatment", "1")
    assert same.exit_code == 1 and "same model version" in same.output
    listed = cli("ab-tests", "list", "--endpoint", "churn")
    assert listed.exit_code == 0 and "running" in listed.output
    early = cli("ab-tests", "results", str(test_id))
    assert early.exit_code == 0 and "Keep collecting" in early.output
    refused = cli("ab-tests", "promote-winner", str(test_id))
    assert refused.exit_code == 1 and "no winner yet" in refused.output

    services = sdk._transport._http.app.state.services  # the server's own, to log traffic
    admin = services.users.resolve_token(sdk.token)
    log_ab_traffic(
        services, admin, serving.id, {serving.model_version_id: 0.5, challenger.id: 0.9}, n=120
    )
    results = cli("ab-tests", "results", str(test_id))
    assert results.exit_code == 0 and "treatment wins" in results.output
    stopped = cli("ab-tests", "stop", str(test_id), "--json")
    assert json.loads(stopped.output)["winner_version_id"] == challenger.id
    promoted = cli("ab-tests", "promote-winner", str(test_id), "--note", "B wins", "--json")
    assert promoted.exit_code == 0, promoted.output
    request_id = json.loads(promoted.output)["promotion_request_id"]
    assert sdk.approvals.get(request_id).status == "pending"
    shown = cli("ab-tests", "show", str(test_id))
    assert "concluded" in shown.output
