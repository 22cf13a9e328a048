"""A/B tests: two model versions on one endpoint, compared on feedback with a sequential test.

A test only reads what the endpoint logged: predictions of the endpoint's deployment by the
control or the treatment version since the test started, joined with their feedback.
Starting a test records the intended split; routing traffic is the endpoint's business.
Promoting the winner opens a promotion request in the approval flow (never a direct move).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import (
    SqlABTest,
    SqlDeployment,
    SqlFeedback,
    SqlModelVersion,
    SqlPrediction,
    SqlRun,
)
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Page, Permission
from modelyard.domain.ab_tests import (
    BINARY,
    LOWER_IS_BETTER,
    ABMetric,
    ABTest,
    ABTestResults,
    ABTestStatus,
    ArmPoint,
    ArmResult,
    DifferencePoint,
    bucket_seconds,
    check_arms,
    check_metric,
    check_settings,
    check_transition,
    default_metric,
    observation,
    recommend,
)
from modelyard.domain.approvals import Stage
from modelyard.domain.sequential import (
    ArmSummary,
    default_tau,
    mean_interval,
    run_looks,
    summarise,
)
from modelyard.domain.traffic import Arm
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError
from modelyard.services.approvals import ApprovalService
from modelyard.services.audit import record_event
from modelyard.services.deployments import _deployment_row, check_servable
from modelyard.services.models import model_version_row
from modelyard.services.paging import paginate
from modelyard.services.prediction_log import PredictionLog
from modelyard.services.revisions import add_revision, canary_of, current_revision

ARMS = ("control", "treatment")


class ABTestService:
    def __init__(
        self,
        uow: UnitOfWork,
        prediction_log: PredictionLog | None,
        approvals: ApprovalService,
        *,
        on_change: Callable[[int, str], None] | None = None,
    ) -> None:
        self._uow = uow
        self._log = prediction_log
        self._approvals = approvals
        self._on_change = on_change  # told (workspace id, endpoint) when routing changed

    def create(
        self,
        actor: Actor,
        endpoint: str,
        control_version_id: int,
        treatment_version_id: int,
        *,
        metric: str | None = None,
        name: str | None = None,
        alpha: float = 0.05,
        min_samples: int = 100,
        treatment_share: float = 0.5,
        route: bool = True,
    ) -> ABTest:
        """Start comparing two registered versions on an endpoint (editor and up).

        With ``route`` the endpoint's traffic is split between the two versions in the same
        transaction (a new deployment revision; both must be servable on the endpoint);
        without it the split is only recorded and routing stays as it is."""
        actor.require(Permission.WRITE, "start A/B tests")
        check_arms(control_version_id, treatment_version_id)
        check_settings(alpha, min_samples)
        if not 0.0 < treatment_share < 1.0:
            raise InvalidInputError(
                "treatment_share is the treatment's intended share of traffic, between 0 and 1.",
                code="ab_test.bad_share",
            )
        with self._uow.begin() as session:
            deployment = _deployment_row(session, actor, endpoint)
            control = model_version_row(session, actor, control_version_id)
            treatment = model_version_row(session, actor, treatment_version_id)
            tasks = {session.get_one(SqlRun, v.run_id).task for v in (control, treatment)}
            if len(tasks) > 1:
                raise InvalidInputError(
                    "Control and treatment solve different tasks "
                    f"({', '.join(sorted(tasks))}); compare versions of the same kind of model.",
                    code="ab_test.task_mismatch",
                )
            task = tasks.pop()
            chosen = check_metric(task, metric or default_metric(task))
            running = session.scalar(
                select(SqlABTest.id).where(
                    SqlABTest.deployment_id == deployment.id,
                    SqlABTest.status == ABTestStatus.RUNNING,
                )
            )
            if running:
                raise ConflictError(
                    f"A/B test {running} is still running on {endpoint!r}; stop it first.",
                    code="ab_test.running",
                )
            label = name.strip() if name and name.strip() else None
            row = SqlABTest(
                workspace_id=actor.workspace_id,
                deployment_id=deployment.id,
                name=(label or f"{_label(control)} vs {_label(treatment)}")[:200],
                control_version_id=control.id,
                treatment_version_id=treatment.id,
                treatment_share=treatment_share,
                metric=chosen,
                alpha=alpha,
                min_samples=min_samples,
                status=ABTestStatus.RUNNING,
                started_at=datetime.now(UTC),
                created_by=actor.username,
                conclusion="",
            )
            session.add(row)
            session.flush()
            if route:
                _route_split(session, actor, deployment, row)
                if self._on_change is not None:
                    self._on_change(actor.workspace_id, endpoint)
            record_event(
                session,
                actor,
                "ab_test.create",
                ("ab_test", row.id),
                {
                    "endpoint": endpoint,
                    "control": control.id,
                    "treatment": treatment.id,
                    "metric": str(chosen),
                    "treatment_share": treatment_share,
                },
            )
            return _to_test(session, row)

    def get(self, actor: Actor, test_id: int) -> ABTest:
        actor.require(Permission.READ, "read A/B tests")
        with self._uow.begin() as session:
            return _to_test(session, _test_row(session, actor, test_id))

    def list(
        self,
        actor: Actor,
        *,
        endpoint: str | None = None,
        status: ABTestStatus | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[ABTest]:
        actor.require(Permission.READ, "list A/B tests")
        with self._uow.begin() as session:
            query = select(SqlABTest).where(SqlABTest.workspace_id == actor.workspace_id)
            if endpoint is not None:
                query = query.where(
                    SqlABTest.deployment_id == _deployment_row(session, actor, endpoint).id
                )
            if status is not None:
                query = query.where(SqlABTest.status == status)
            query = query.order_by(SqlABTest.id.desc())
            return paginate(
                session, query, lambda r: _to_test(session, r), offset=offset, limit=limit
            )

    def results(self, actor: Actor, test_id: int) -> ABTestResults:
        """Per-arm metrics, the always-valid test, the recommendation and the metric over time."""
        actor.require(Permission.READ, "read A/B tests")
        self._flush()
        with self._uow.begin() as session:
            return _results(session, _test_row(session, actor, test_id))

    def stop(self, actor: Actor, test_id: int) -> ABTest:
        """End data collection; the conclusion and any winner are recorded."""
        actor.require(Permission.WRITE, "stop A/B tests")
        self._flush()
        with self._uow.begin() as session:
            row = _test_row(session, actor, test_id)
            check_transition(ABTestStatus(row.status), ABTestStatus.STOPPED)
            row.status, row.stopped_at = ABTestStatus.STOPPED, datetime.now(UTC)
            result = _results(session, row)
            row.winner_version_id = result.winner_version_id
            row.conclusion = result.recommendation
            record_event(
                session,
                actor,
                "ab_test.stop",
                ("ab_test", row.id),
                {"winner": row.winner_version_id, "p_value": result.p_value},
            )
            return _to_test(session, row)

    def promote_winner(
        self, actor: Actor, test_id: int, *, note: str = "", stage: Stage | None = None
    ) -> ABTest:
        """Ask (through the approval flow) to promote the winner to the endpoint's stage.

        The target is ``stage`` when given, else the endpoint's stage (staging or
        production); a development endpoint's winner is proposed for staging.
        """
        actor.require(Permission.WRITE, "promote A/B test winners")
        self._flush()
        with self._uow.begin() as session:
            row = _test_row(session, actor, test_id)
            check_transition(ABTestStatus(row.status), ABTestStatus.CONCLUDED)
            result = _results(session, row)
            if result.winner_version_id is None:
                raise ConflictError(
                    f"This A/B test has no winner yet: {result.recommendation}",
                    code="ab_test.no_winner",
                    details={"p_value": result.p_value, "decision": str(result.decision)},
                )
            deployment = session.get_one(SqlDeployment, row.deployment_id)
            target = stage or (
                Stage(deployment.stage)
                if deployment.stage in (Stage.STAGING, Stage.PRODUCTION)
                else Stage.STAGING
            )
            winner = session.get_one(SqlModelVersion, result.winner_version_id)
            text = (
                note.strip() or f"Winner of A/B test {row.id} ({row.name}): {result.recommendation}"
            )
            request = self._approvals.open_request(session, actor, winner, target, text)
            row.status = ABTestStatus.CONCLUDED
            row.stopped_at = row.stopped_at or datetime.now(UTC)
            row.winner_version_id = winner.id
            row.conclusion = result.recommendation
            row.promotion_request_id = request.id
            record_event(
                session,
                actor,
                "ab_test.promote_winner",
                ("ab_test", row.id),
                {"winner": winner.id, "stage": str(target), "request": request.id},
            )
            return _to_test(session, row)

    def _flush(self) -> None:
        if self._log is not None:
            self._log.flush()  # predictions still queued for writing count too


def _label(version: SqlModelVersion) -> str:
    return f"{version.name} v{version.version}"


def _test_row(session: Session, actor: Actor, test_id: int) -> SqlABTest:
    row = session.get(SqlABTest, test_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No A/B test with id {test_id}.", code="ab_test.not_found")
    return row


def _to_test(session: Session, row: SqlABTest) -> ABTest:
    control = session.get_one(SqlModelVersion, row.control_version_id)
    treatment = session.get_one(SqlModelVersion, row.treatment_version_id)
    return ABTest(
        id=row.id,
        name=row.name,
        endpoint=session.get_one(SqlDeployment, row.deployment_id).name,
        deployment_id=row.deployment_id,
        control_version_id=row.control_version_id,
        control_label=_label(control),
        treatment_version_id=row.treatment_version_id,
        treatment_label=_label(treatment),
        treatment_share=row.treatment_share,
        metric=ABMetric(row.metric),
        alpha=row.alpha,
        min_samples=row.min_samples,
        status=ABTestStatus(row.status),
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        created_by=row.created_by,
        winner_version_id=row.winner_version_id,
        conclusion=row.conclusion,
        promotion_request_id=row.promotion_request_id,
    )


def _observations(
    session: Session, row: SqlABTest, metric: ABMetric
) -> tuple[dict[int, int], dict[int, list[tuple[datetime, float]]]]:
    """Per version: predictions counted, and (time, observation) for those with feedback.

    The rows are streamed in chunks; only one float (and its time) per prediction with
    feedback is kept."""
    versions = (row.control_version_id, row.treatment_version_id)
    query = (
        select(
            SqlPrediction.model_version_id,
            SqlPrediction.created_at,
            SqlPrediction.output,
            SqlFeedback.actual,
        )
        .outerjoin(SqlFeedback, SqlFeedback.prediction_id == SqlPrediction.id)
        .where(
            SqlPrediction.deployment_id == row.deployment_id,
            SqlPrediction.model_version_id.in_(versions),
            SqlPrediction.created_at >= row.started_at,
            SqlPrediction.role == "live",
        )
        .order_by(SqlPrediction.created_at)
    )
    if row.stopped_at is not None:
        query = query.where(SqlPrediction.created_at <= row.stopped_at)
    counts = dict.fromkeys(versions, 0)
    points: dict[int, list[tuple[datetime, float]]] = {v: [] for v in versions}
    rows = session.execute(query.execution_options(yield_per=10_000))  # streamed, not all
    for version_id, created_at, output, actual in rows:
        counts[version_id] += 1
        if actual is None:
            continue
        value = observation(metric, (output or {}).get("prediction"), actual.get("value"))
        if value is not None and math.isfinite(value):
            points[version_id].append((created_at, value))
    return counts, points


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _shown(metric: ABMetric, value: float) -> float | None:
    """An observation-scale number (mean or interval end) as the metric users read."""
    if not math.isfinite(value):
        return None
    if metric in BINARY:
        value = min(max(value, 0.0), 1.0)
    elif metric in LOWER_IS_BETTER:
        value = max(value, 0.0)
    return math.sqrt(value) if metric is ABMetric.RMSE else value


def _arm_point(
    metric: ABMetric, at: datetime, arm: ArmSummary, tau: float, alpha: float
) -> ArmPoint:
    band = mean_interval(arm, tau=tau, alpha=alpha)
    return ArmPoint(
        at=at,
        n=arm.n,
        value=_shown(metric, arm.mean) if arm.n else None,
        lower=_shown(metric, band.lower),
        upper=_shown(metric, band.upper),
    )


def _results(session: Session, row: SqlABTest) -> ABTestResults:
    test = _to_test(session, row)
    metric = test.metric
    counts, points = _observations(session, row, metric)
    versions = (row.control_version_id, row.treatment_version_id)
    times = [[t for t, _ in points[v]] for v in versions]
    values = [[x for _, x in points[v]] for v in versions]
    is_binary = metric in BINARY
    tau = default_tau(values[0], values[1], is_binary=is_binary)

    last = max((ts[-1] for ts in times if ts), default=row.started_at)
    end = row.stopped_at or max(datetime.now(UTC), last)
    bucket = bucket_seconds((end - row.started_at).total_seconds())
    n_buckets = max(1, math.ceil((last - row.started_at).total_seconds() / bucket))
    ends = [row.started_at + timedelta(seconds=bucket * k) for k in range(1, n_buckets + 1)]
    cuts = [(bisect.bisect_left(times[0], e), bisect.bisect_left(times[1], e)) for e in ends]
    cuts[-1] = (len(values[0]), len(values[1]))  # the last look sees everything
    looks = run_looks(values[0], values[1], cuts, alpha=row.alpha, is_binary=is_binary, tau=tau)
    final = looks[-1]

    series: dict[str, list[ArmPoint]] = {arm: [] for arm in ARMS}
    for at, (i, j) in zip(ends, cuts, strict=True):
        for arm, data, n in zip(ARMS, values, (i, j), strict=True):
            series[arm].append(
                _arm_point(metric, at, summarise(data[:n], is_binary=is_binary), tau, row.alpha)
            )
    arms = []
    for arm, version_id, data, label in zip(
        ARMS, versions, values, (test.control_label, test.treatment_label), strict=True
    ):
        point = _arm_point(metric, end, summarise(data, is_binary=is_binary), tau, row.alpha)
        arms.append(
            ArmResult(
                arm=arm,
                model_version_id=version_id,
                label=label,
                n_predictions=counts[version_id],
                n_feedback=len(data),
                value=point.value,
                lower=point.lower,
                upper=point.upper,
            )
        )
    advice = recommend(
        metric,
        n_control=len(values[0]),
        n_treatment=len(values[1]),
        difference=final.difference,
        p_value=final.p_value,
        alpha=row.alpha,
        min_samples=row.min_samples,
        is_running=row.status == ABTestStatus.RUNNING,
    )
    control_mean = summarise(values[0]).mean if values[0] else math.nan
    lift = final.difference / control_mean if values[0] and control_mean else math.nan
    winner = {"control": versions[0], "treatment": versions[1]}.get(advice.winner or "")
    return ABTestResults(
        test=test,
        metric=metric,
        higher_is_better=metric not in LOWER_IS_BETTER,
        arms=arms,
        difference=_finite(final.difference),
        difference_lower=_finite(final.lower),
        difference_upper=_finite(final.upper),
        lift=_finite(lift),
        p_value=final.p_value,
        is_significant=final.is_significant,
        decision=advice.decision,
        winner_version_id=winner,
        recommendation=advice.text,
        bucket_s=bucket,
        series=series,
        difference_series=[
            DifferencePoint(
                at=at,
                difference=_finite(r.difference),
                lower=_finite(r.lower),
                upper=_finite(r.upper),
                p_value=r.p_value,
            )
            for at, r in zip(ends, looks, strict=True)
        ],
    )


def _route_split(
    session: Session, actor: Actor, deployment: SqlDeployment, test: SqlABTest
) -> None:
    """Point the endpoint's live traffic at the two arms, by the test's share."""
    if canary_of(current_revision(session, deployment)) is not None:
        raise ConflictError(
            f"A canary is running on {deployment.name!r}; finish or abort it before an A/B test.",
            code="traffic.canary_running",
        )
    for version_id in (test.control_version_id, test.treatment_version_id):
        check_servable(deployment.stage, session.get_one(SqlModelVersion, version_id))
    share = min(99, max(1, round(test.treatment_share * 100)))
    arms = [
        Arm(model_version_id=test.control_version_id, weight=100 - share),
        Arm(model_version_id=test.treatment_version_id, weight=share),
    ]
    add_revision(
        session, actor, deployment, arms, action="ab_test", note=f"A/B test {test.id}: {test.name}"
    )
