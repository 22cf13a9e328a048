"""Maker-checker promotion: requests, checks, decisions, stages, aliases and endpoints."""

import pytest

from modelyard.domain import Role
from modelyard.domain.approvals import Policy, RequestStatus, Stage
from modelyard.errors import ConflictError, InvalidInputError, PermissionDeniedError
from tests.factories import make_dataset_version, make_model_version, make_user


@pytest.fixture
def checker(services, admin):
    return make_user(services, admin, "chuck", Role.APPROVER)


@pytest.fixture
def version(services, editor, tmp_path):
    return make_model_version(services, editor, tmp_path)


def test_maker_requests_checker_approves_and_the_version_is_in_production(
    services, editor, checker, version
):
    request = services.approvals.request(
        editor, version.id, Stage.PRODUCTION, note="beats the baseline"
    )
    assert request.status == RequestStatus.PENDING and request.requested_by == "erin"
    with pytest.raises(PermissionDeniedError, match="may not decide"):
        services.approvals.decide(editor, request.id, approve=True)  # editors cannot approve at all
    decided = services.approvals.decide(checker, request.id, approve=True, comment="looks good")
    assert decided.status == RequestStatus.APPROVED and decided.decisions[0].approver == "chuck"
    assert services.models.get(editor, version.id).stage == "production"
    import mlflow

    client = mlflow.MlflowClient(services.settings.mlflow.tracking_uri)
    assert (
        int(client.get_model_version_by_alias(version.name, "production").version)
        == version.version
    )
    audit = [e.action for e in services.audit.list(checker).items]
    assert {"approval.request", "approval.approve", "model.promote"} <= set(audit)


def test_the_maker_never_approves_their_own_request(services, admin, version):
    request = services.approvals.request(admin, version.id, Stage.STAGING)
    with pytest.raises(PermissionDeniedError, match="maker-checker"):
        services.approvals.decide(admin, request.id, approve=True)
    assert services.approvals.get(admin, request.id).status == RequestStatus.PENDING


def test_failing_checks_block_approval_and_say_why(services, admin, editor, checker, version):
    services.approvals.set_policy(
        admin,
        Policy(
            stage=Stage.PRODUCTION,
            metric_thresholds={"accuracy": 0.999, "log_loss": 5.0},
            required_card_fields=["intended_use"],
        ),
    )
    request = services.approvals.request(editor, version.id, Stage.PRODUCTION)
    checks = {c["name"]: c["is_passed"] for c in request.checks}
    assert checks == {
        "metric accuracy": False,
        "metric log_loss": True,
        "model card: intended_use": False,
    }
    with pytest.raises(ConflictError, match="metric accuracy, model card: intended_use"):
        services.approvals.decide(checker, request.id, approve=True)
    services.approvals.set_policy(
        admin, Policy(stage=Stage.PRODUCTION, required_card_fields=["intended_use"])
    )
    services.approvals.update_card(
        editor, version.id, {"intended_use": "Rank customers to call first"}
    )
    assert (
        services.approvals.decide(checker, request.id, approve=True).status
        == RequestStatus.APPROVED
    )


def test_two_approvers_for_production_when_the_policy_says_so(
    services, admin, editor, checker, version
):
    services.approvals.set_policy(admin, Policy(stage=Stage.PRODUCTION, min_approvals=2))
    request = services.approvals.request(editor, version.id, Stage.PRODUCTION)
    assert (
        services.approvals.decide(checker, request.id, approve=True).status == RequestStatus.PENDING
    )
    with pytest.raises(ConflictError, match="already decided"):
        services.approvals.decide(checker, request.id, approve=True)
    second = make_user(services, admin, "petra", Role.APPROVER)
    assert (
        services.approvals.decide(second, request.id, approve=True).status == RequestStatus.APPROVED
    )


def test_validation_on_a_dataset_version_is_a_check(
    services, admin, editor, checker, version, tmp_path
):
    holdout = make_dataset_version(services, admin, tmp_path, name="holdout")
    services.approvals.set_policy(
        admin,
        Policy(
            stage=Stage.STAGING,
            metric_thresholds={"accuracy": 0.6},
            validation_dataset_version_id=holdout.id,
        ),
    )
    request = services.approvals.request(editor, version.id, Stage.STAGING)
    validation = next(c for c in request.checks if c["name"].startswith("validation"))
    assert validation["is_passed"] and "accuracy" in validation["detail"]


def test_a_rejection_ends_the_request_and_changes_nothing(services, editor, checker, version):
    request = services.approvals.request(editor, version.id, Stage.PRODUCTION)
    assert (
        services.approvals.decide(checker, request.id, approve=False, comment="no card").status
        == RequestStatus.REJECTED
    )
    assert services.models.get(editor, version.id).stage == "none"
    with pytest.raises(ConflictError, match="already rejected"):
        services.approvals.decide(checker, request.id, approve=True)


def test_production_endpoints_serve_only_production_versions(services, editor, checker, version):
    with pytest.raises(PermissionDeniedError, match="Request a promotion first"):
        services.deployments.create(editor, "churn-prod", version.id, stage="production")
    assert services.deployments.create(editor, "churn-dev", version.id).stage == "development"
    request = services.approvals.request(editor, version.id, Stage.PRODUCTION)
    services.approvals.decide(checker, request.id, approve=True)
    assert (
        services.deployments.create(editor, "churn-prod", version.id, stage="production").stage
        == "production"
    )


def test_a_new_production_version_archives_the_old_one(services, editor, checker, version):
    services.approvals.decide(
        checker, services.approvals.request(editor, version.id, Stage.PRODUCTION).id, approve=True
    )
    run_id = services.models.get(editor, version.id).run_id
    newer = services.models.register(editor, run_id, name=version.name)
    services.approvals.decide(
        checker, services.approvals.request(editor, newer.id, Stage.PRODUCTION).id, approve=True
    )
    assert services.models.get(editor, version.id).stage == "archived"
    assert services.models.get(editor, newer.id).stage == "production"


def test_request_rules(services, admin, editor, viewer, version):
    services.approvals.request(editor, version.id, Stage.STAGING)
    with pytest.raises(ConflictError, match="still pending"):
        services.approvals.request(editor, version.id, Stage.STAGING)
    with pytest.raises(InvalidInputError):
        services.approvals.request(editor, version.id, Stage.ARCHIVED)
    with pytest.raises(PermissionDeniedError):
        services.approvals.request(viewer, version.id, Stage.STAGING)
    with pytest.raises(InvalidInputError, match="Unknown model card"):
        services.approvals.update_card(editor, version.id, {"favourite_colour": "green"})
    assert services.approvals.list(admin, status=RequestStatus.PENDING).total == 1
    assert services.approvals.list(admin, model_version_id=version.id).total == 1
    assert services.approvals.list(admin, model_version_id=version.id + 1000).total == 0


def test_only_the_maker_withdraws(services, editor, checker, version):
    request = services.approvals.request(editor, version.id, Stage.STAGING)
    with pytest.raises(PermissionDeniedError, match="Only the maker"):
        services.approvals.withdraw(checker, request.id)
    assert services.approvals.withdraw(editor, request.id).status == RequestStatus.WITHDRAWN
