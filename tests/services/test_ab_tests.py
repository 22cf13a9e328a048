"""A/B tests through the real services: traffic, results, the winner, approval."""

import pytest
from sqlalchemy import select

from modelyard.db.tables import SqlABTest, SqlAuditEvent
from modelyard.domain.ab_tests import ABTestStatus, Decision
from modelyard.domain.approvals import RequestStatus
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from tests.abtest_data import log_ab_traffic
from tests.factories import churn_frame, make_run


def test_starting_an_ab_test_splits_the_endpoint_traffic_between_the_arms(
    services, admin, tmp_path
):
    run = make_run(services, admin, tmp_path)
    a = services.models.register(admin, run.id)
    b = services.models.register(admin, run.id)
    services.deployments.create(admin, "churn", a.id)

    test = services.ab_tests.create(admin, "churn", a.id, b.id, treatment_share=0.3)

    current = services.traffic.current(admin, "churn")
    assert current.action == "ab_test" and f"A/B test {test.id}" in current.note
    assert {(arm.model_version_id, arm.weight) for arm in current.arms} == {(a.id, 70), (b.id, 30)}
    record = churn_frame().drop(columns="churned").head(1).to_dict(orient="records")
    answered = {
        services.deployments.predict(admin, "churn", record).model_version for _ in range(60)
    }
    assert answered == {a.version, b.version}  # both arms serve (P(miss) ~ 0.7**60)


def test_an_ab_test_finds_the_better_version_and_asks_for_its_promotion(
    services, admin, viewer, tmp_path
):
    run = make_run(services, admin, tmp_path)
    a = services.models.register(admin, run.id)
    b = services.models.register(admin, run.id)
    endpoint = services.deployments.create(admin, "churn", a.id)
    tests = services.ab_tests

    # bad input first: nothing is written
    with pytest.raises(InvalidInputError, match="same model version"):
        tests.create(admin, "churn", a.id, a.id)
    with pytest.raises(NotFoundError, match="No model version with id 999"):
        tests.create(admin, "churn", a.id, 999)
    with pytest.raises(NotFoundError, match="No endpoint named 'nope'"):
        tests.create(admin, "nope", a.id, b.id)
    with pytest.raises(InvalidInputError, match="does not fit a classification"):
        tests.create(admin, "churn", a.id, b.id, metric="rmse")
    with pytest.raises(PermissionDeniedError):
        tests.create(viewer, "churn", a.id, b.id)
    with services.uow.begin() as session:
        assert session.scalars(select(SqlABTest)).all() == []

    test = tests.create(admin, "churn", a.id, b.id, min_samples=50, route=False)
    assert (test.status, test.metric, test.endpoint) == (ABTestStatus.RUNNING, "accuracy", "churn")
    with pytest.raises(ConflictError, match="still running"):
        tests.create(admin, "churn", b.id, a.id)

    # real predictions from A, then from B after a redeploy: counted, without feedback yet
    records = churn_frame().drop(columns="churned").head(3).to_dict(orient="records")
    services.deployments.predict(admin, "churn", records)
    services.deployments.update(admin, "churn", b.id)
    services.deployments.predict(admin, "churn", records)
    early = tests.results(viewer, test.id)
    assert [arm.n_predictions for arm in early.arms] == [3, 3]
    assert early.decision is Decision.KEEP_COLLECTING and "Keep collecting" in early.recommendation
    with pytest.raises(ConflictError, match="no winner yet") as error:
        tests.promote_winner(admin, test.id)
    assert error.value.code == "ab_test.no_winner"

    log_ab_traffic(services, admin, endpoint.id, {a.id: 0.55, b.id: 0.9}, n=150)
    results = tests.results(viewer, test.id)
    control, treatment = results.arms
    assert (control.n_feedback, treatment.n_feedback) == (150, 150)
    assert control.value == pytest.approx(0.55, abs=0.1)
    assert treatment.value == pytest.approx(0.9, abs=0.1)
    assert control.lower < control.value < control.upper
    assert results.is_significant and results.p_value <= 0.05
    assert results.difference_lower > 0 and results.lift > 0.3
    assert results.decision is Decision.TREATMENT and results.winner_version_id == b.id
    assert "treatment wins" in results.recommendation
    assert len(results.series["control"]) == len(results.difference_series) > 5
    assert results.series["treatment"][-1].n == 150
    # p-values along the way never rise: looking often is safe
    p_values = [point.p_value for point in results.difference_series]
    assert p_values == sorted(p_values, reverse=True)

    with pytest.raises(PermissionDeniedError):
        tests.stop(viewer, test.id)
    stopped = tests.stop(admin, test.id)
    assert stopped.status is ABTestStatus.STOPPED and stopped.winner_version_id == b.id
    with pytest.raises(ConflictError, match="is stopped"):
        tests.stop(admin, test.id)

    concluded = tests.promote_winner(admin, test.id, note="B converts better")
    assert concluded.status is ABTestStatus.CONCLUDED
    request = services.approvals.get(admin, concluded.promotion_request_id)
    assert (request.model_version_id, request.target_stage) == (b.id, "staging")
    assert request.status == RequestStatus.PENDING and request.note == "B converts better"
    with services.uow.begin() as session:
        actions = session.scalars(
            select(SqlAuditEvent.action).where(SqlAuditEvent.action.like("ab_test.%"))
        ).all()
    assert sorted(actions) == ["ab_test.create", "ab_test.promote_winner", "ab_test.stop"]
    assert [t.id for t in tests.list(viewer, endpoint="churn").items] == [test.id]
    assert tests.list(viewer, status=ABTestStatus.RUNNING).total == 0
