"""Endpoint traffic: weights, shadow, canary, rollback, history, served-at, stats."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from modelyard.db.tables import SqlPrediction
from modelyard.domain import Role
from modelyard.domain.approvals import Stage
from modelyard.domain.traffic import Arm, ArmRole
from modelyard.errors import ConflictError, InvalidInputError, PermissionDeniedError
from modelyard.services.prediction_log import PredictionLog
from tests.factories import churn_frame, make_run, make_user

RECORDS = churn_frame().drop(columns="churned").head(3).to_dict(orient="records")


@pytest.fixture
def versions(services, admin, tmp_path):
    """Three versions of one trained run (one training, three registry versions)."""
    run = make_run(services, admin, tmp_path)
    return [services.models.register(admin, run.id, name="churn-model") for _ in range(3)]


@pytest.fixture
def endpoint(services, admin, versions):
    return services.deployments.create(admin, "churn", versions[0].id)


def arms(*pairs, shadow=None):
    result = [Arm(model_version_id=v, weight=w) for v, w in pairs]
    if shadow is not None:
        result.append(Arm(model_version_id=shadow, role=ArmRole.SHADOW))
    return result


def test_weighted_split_routes_requests_to_both_versions(services, admin, versions, endpoint):
    v1, v2 = versions[0], versions[1]
    services.traffic.set_traffic(admin, "churn", arms((v1.id, 80), (v2.id, 20)), note="A/B")
    answered = [
        services.deployments.predict(admin, "churn", RECORDS[:1], routing_key=f"c{i}").model_version
        for i in range(300)
    ]
    share = answered.count(v1.version) / len(answered)
    assert 0.7 < share < 0.9
    sticky = {
        services.deployments.predict(admin, "churn", RECORDS, routing_key="k").model_version
        for _ in range(5)
    }
    assert len(sticky) == 1
    services.prediction_log.flush()
    with services.uow.begin() as session:
        logged = session.scalars(select(SqlPrediction.model_version_id)).all()
    assert set(logged) == {v1.id, v2.id}
    assert services.deployments.get(admin, "churn").model_version_id == v1.id


def test_switching_while_requests_flow_drops_none(services, admin, versions, endpoint):
    v1, v2 = versions[0], versions[1]
    stop = threading.Event()

    def switch():
        flip = False
        while not stop.is_set():
            weights = ((v1.id, 100),) if flip else ((v1.id, 10), (v2.id, 90))
            services.traffic.set_traffic(admin, "churn", arms(*weights))
            flip = not flip

    switcher = threading.Thread(target=switch)
    switcher.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(
                pool.map(lambda _: services.deployments.predict(admin, "churn", RECORDS), range(60))
            )
    finally:
        stop.set()
        switcher.join()
    assert all(len(r.predictions) == 3 for r in results)
    assert {r.model_version for r in results} <= {v1.version, v2.version}
    assert len(services.traffic.history(admin, "churn")) > 2


def test_shadow_answers_are_logged_never_returned(services, admin, versions, endpoint):
    v1, v2 = versions[0], versions[1]
    services.traffic.set_traffic(admin, "churn", arms((v1.id, 100), shadow=v2.id))
    result = services.deployments.predict(admin, "churn", RECORDS)
    assert result.model_version == v1.version and len(result.predictions) == 3
    services.deployments.wait_for_shadows()
    services.prediction_log.flush()
    with services.uow.begin() as session:
        rows = session.scalars(select(SqlPrediction)).all()
        shadows = [r for r in rows if r.role == "shadow"]
        live = [r for r in rows if r.role == "live"]
        assert {r.model_version_id for r in shadows} == {v2.id}
        assert {r.model_version_id for r in live} == {v1.id}
        assert sorted(r.shadow_of for r in shadows) == sorted(result.prediction_ids)
        assert all("prediction" in r.output for r in shadows)
    (metrics,) = services.feedback.metrics(admin, "churn")  # live metrics ignore shadows
    assert (metrics.model_version_id, metrics.n_predictions) == (v1.id, 3)
    stats = services.traffic.traffic_stats(admin, "churn", window_s=60)
    by_role = {(s.model_version_id, s.role): s for s in stats.arms}
    assert by_role[(v1.id, ArmRole.LIVE)].requests == 3
    assert by_role[(v2.id, ArmRole.SHADOW)].requests == 3
    assert by_role[(v1.id, ArmRole.LIVE)].p95_latency_ms is not None


def test_rollback_restores_the_previous_arms_as_a_new_revision(services, admin, versions, endpoint):
    v1, v2 = versions[0], versions[1]
    with pytest.raises(ConflictError, match="no previous revision"):
        services.traffic.rollback(admin, "churn")
    services.traffic.set_traffic(admin, "churn", arms((v1.id, 50), (v2.id, 50)))
    services.traffic.set_traffic(admin, "churn", arms((v2.id, 100)), note="all in")
    rolled = services.traffic.rollback(admin, "churn", note="v2 alone was slow")
    assert rolled.revision == 4 and rolled.action == "rollback"
    assert {(a.model_version_id, a.weight) for a in rolled.arms} == {(v1.id, 50), (v2.id, 50)}
    history = services.traffic.history(admin, "churn")
    assert [h.revision for h in history] == [4, 3, 2, 1]
    assert history[0].note == "v2 alone was slow" and history[0].created_by == "admin"
    audit = {e.action for e in services.audit.list(admin).items}
    assert {"endpoint.traffic", "endpoint.rollback"} <= audit


def test_served_at_answers_for_a_time_between_two_revisions(services, admin, versions, endpoint):
    v2 = versions[1]
    time.sleep(0.05)
    between = datetime.now(UTC)
    time.sleep(0.05)
    services.traffic.set_traffic(admin, "churn", arms((v2.id, 100)))
    at_between = services.traffic.served_at(admin, "churn", between)
    assert at_between.revision == 1
    assert [a.model_version_id for a in at_between.arms] == [versions[0].id]
    now = services.traffic.served_at(admin, "churn", datetime.now(UTC))
    assert now.revision == 2 and now.arms[0].model_version_id == v2.id


def test_canary_advances_step_by_step_and_abort_restores(services, admin, versions, endpoint):
    v1, v2 = versions[0], versions[1]
    started = services.traffic.start_canary(admin, "churn", v2.id, steps=[10, 50])
    assert {a.model_version_id: a.weight for a in started.arms} == {v1.id: 90, v2.id: 10}
    assert started.canary.steps == [10, 50, 100]
    with pytest.raises(ConflictError, match="canary is running"):
        services.traffic.set_traffic(admin, "churn", arms((v1.id, 100)))
    half = services.traffic.advance_canary(admin, "churn")
    assert {a.model_version_id: a.weight for a in half.arms} == {v1.id: 50, v2.id: 50}
    aborted = services.traffic.abort_canary(admin, "churn", note="errors up")
    assert [(a.model_version_id, a.weight) for a in aborted.arms] == [(v1.id, 100)]
    assert aborted.canary is None
    services.traffic.start_canary(admin, "churn", v2.id, steps=[50])
    done = services.traffic.advance_canary(admin, "churn")
    assert [(a.model_version_id, a.weight) for a in done.arms] == [(v2.id, 100)]
    assert done.action == "canary.complete" and done.canary is None
    with pytest.raises(ConflictError, match="No canary"):
        services.traffic.advance_canary(admin, "churn")


def test_bad_changes_are_refused(services, admin, versions, endpoint):
    v1, v2, v3 = versions
    with pytest.raises(InvalidInputError, match="sum to 90"):
        services.traffic.set_traffic(admin, "churn", arms((v1.id, 70), (v2.id, 20)))
    viewer = make_user(services, admin, "victor", Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        services.traffic.set_traffic(viewer, "churn", arms((v1.id, 100)))
    assert len(services.traffic.history(viewer, "churn")) == 1


def test_production_endpoints_serve_only_approved_versions_and_history_says_who(
    services, admin, versions
):
    v1, v2 = versions[0], versions[1]
    checker = make_user(services, admin, "chuck", Role.APPROVER)
    request = services.approvals.request(admin, v1.id, Stage.PRODUCTION, note="beats baseline")
    services.approvals.decide(checker, request.id, approve=True, comment="ok")
    services.deployments.create(admin, "prod", v1.id, stage="production")
    with pytest.raises(PermissionDeniedError, match="Request a promotion"):
        services.traffic.set_traffic(admin, "prod", arms((v1.id, 50), (v2.id, 50)))
    with pytest.raises(PermissionDeniedError):
        services.traffic.start_canary(admin, "prod", v2.id)
    (first,) = services.traffic.history(admin, "prod")
    approval = first.arms[0].approval
    assert approval.request_id == request.id and approval.approvers == ["chuck"]
    assert approval.note == "beats baseline" and approval.comments == ["ok"]


class _SlowBackgroundWrites(PredictionLog):
    """The background thread dawdles between taking rows off the queue and committing them."""

    def _write(self, rows):
        if rows and threading.current_thread().name == "prediction-log":
            time.sleep(0.5)
        super()._write(rows)


def test_flush_waits_for_rows_the_background_thread_took_but_has_not_written(
    services, endpoint, versions
):
    log = _SlowBackgroundWrites(services.uow, interval_s=0.01)
    try:
        row = {"deployment_id": endpoint.id, "model_version_id": versions[0].id, "inputs": {}}
        log.add([{**row, "id": f"p{i}", "output": {}, "latency_ms": 1.0} for i in range(20)])
        deadline = time.monotonic() + 5
        while not log._queue.empty() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert log._queue.empty()  # the background thread holds the rows, mid-write
        log.flush()
        with services.uow.begin() as session:
            logged = session.scalars(select(SqlPrediction.id)).all()
        assert sorted(logged) == sorted(f"p{i}" for i in range(20))
    finally:
        log.close()
