"""Traffic between model versions behind an endpoint: weights, canary, shadow, rollback, history.

Every change appends an immutable revision and moves the endpoint's pointer to it in one
transaction; DeploymentService.predict reads that pointer per request, so a switch never
drops a request (one in flight finishes on the arms it read).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDeployment, SqlDeploymentRevision, SqlPrediction
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Permission
from modelyard.domain.traffic import (
    DEFAULT_CANARY_STEPS,
    Arm,
    ArmRole,
    ArmStats,
    CanaryState,
    DeploymentRevision,
    TrafficStats,
    advance,
    canary_arms,
    percentile,
    start_canary,
    validate_arms,
)
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError
from modelyard.services.audit import record_event
from modelyard.services.deployments import check_servable, deployment_row
from modelyard.services.models import model_version_row
from modelyard.services.prediction_log import PredictionLog
from modelyard.services.revisions import (
    add_revision,
    arms_of,
    canary_of,
    current_revision,
    to_revision,
)

MAX_WINDOW_S = 7 * 24 * 3600


class TrafficService:
    def __init__(
        self,
        uow: UnitOfWork,
        prediction_log: PredictionLog | None = None,
        *,
        on_change: Callable[[int, str], None] | None = None,
    ) -> None:
        self._uow = uow
        self._log = prediction_log
        self._on_change = on_change  # told (workspace id, endpoint) when routing changed

    def set_traffic(
        self, actor: Actor, name: str, arms: Sequence[Arm], note: str = ""
    ) -> DeploymentRevision:
        """Serve these arms from now on (weights of live arms sum to 100; one shadow at most)."""
        actor.require(Permission.WRITE, "change endpoint traffic")
        checked = validate_arms(arms)
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            if canary_of(current_revision(session, deployment)) is not None:
                raise ConflictError(
                    f"A canary is running on {name!r}; advance it to 100 % or abort it first.",
                    code="traffic.canary_running",
                )
            return self._apply(session, actor, deployment, checked, "traffic", note)

    def start_canary(
        self,
        actor: Actor,
        name: str,
        model_version_id: int,
        *,
        steps: Sequence[int] = DEFAULT_CANARY_STEPS,
        note: str = "",
    ) -> DeploymentRevision:
        """Bring a new version in at the first step's weight over today's arms."""
        actor.require(Permission.WRITE, "change endpoint traffic")
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            revision = current_revision(session, deployment)
            if canary_of(revision) is not None:
                raise ConflictError(
                    f"A canary is running on {name!r} already; advance or abort it.",
                    code="traffic.canary_running",
                )
            state = start_canary(arms_of(revision), model_version_id, steps)
            return self._apply(
                session, actor, deployment, canary_arms(state), "canary.start", note, state
            )

    def advance_canary(self, actor: Actor, name: str, note: str = "") -> DeploymentRevision:
        """The canary's next step; at 100 % the canary is done and serves alone."""
        actor.require(Permission.WRITE, "change endpoint traffic")
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            state = advance(self._running(session, deployment))
            kept = None if state.is_last_step else state
            action = "canary.complete" if kept is None else "canary.advance"
            return self._apply(session, actor, deployment, canary_arms(state), action, note, kept)

    def abort_canary(self, actor: Actor, name: str, note: str = "") -> DeploymentRevision:
        """Stop the canary: the arms before it serve again."""
        actor.require(Permission.WRITE, "change endpoint traffic")
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            state = self._running(session, deployment)
            return self._apply(session, actor, deployment, state.baseline, "canary.abort", note)

    def rollback(self, actor: Actor, name: str, note: str = "") -> DeploymentRevision:
        """Re-apply the previous revision's arms as a new revision (history only grows)."""
        actor.require(Permission.WRITE, "roll back endpoints")
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            current = current_revision(session, deployment)
            previous = session.scalar(
                select(SqlDeploymentRevision)
                .where(
                    SqlDeploymentRevision.deployment_id == deployment.id,
                    SqlDeploymentRevision.revision < current.revision,
                )
                .order_by(SqlDeploymentRevision.revision.desc())
                .limit(1)
            )
            if previous is None:
                raise ConflictError(
                    f"Endpoint {name!r} has no previous revision to roll back to.",
                    code="traffic.no_previous_revision",
                )
            return self._apply(
                session,
                actor,
                deployment,
                arms_of(previous),
                "rollback",
                note or f"rollback to revision {previous.revision}",
                canary_of(previous),
            )

    def history(self, actor: Actor, name: str) -> list[DeploymentRevision]:
        """Every revision, newest first: arms, who, when, why, and who approved each version."""
        actor.require(Permission.READ, "read endpoint history")
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            rows = session.scalars(
                select(SqlDeploymentRevision)
                .where(SqlDeploymentRevision.deployment_id == deployment.id)
                .order_by(SqlDeploymentRevision.revision.desc())
            )
            return [to_revision(session, deployment, row) for row in rows]

    def current(self, actor: Actor, name: str) -> DeploymentRevision:
        actor.require(Permission.READ, "read endpoints")
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            return to_revision(session, deployment, current_revision(session, deployment))

    def served_at(self, actor: Actor, name: str, at: datetime) -> DeploymentRevision:
        """The revision that was live at time ``at`` (and so the versions that served)."""
        actor.require(Permission.READ, "read endpoint history")
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            row = session.scalar(
                select(SqlDeploymentRevision)
                .where(
                    SqlDeploymentRevision.deployment_id == deployment.id,
                    SqlDeploymentRevision.created_at <= at,
                )
                .order_by(SqlDeploymentRevision.created_at.desc(), SqlDeploymentRevision.id.desc())
                .limit(1)
            )
            if row is None:
                raise NotFoundError(
                    f"Endpoint {name!r} did not exist yet at {at.isoformat()}.",
                    code="traffic.not_deployed_at",
                )
            return to_revision(session, deployment, row)

    def traffic_stats(self, actor: Actor, name: str, window_s: float = 300) -> TrafficStats:
        """Per version and role over the last ``window_s``: rate, p50/p95 latency, errors."""
        actor.require(Permission.READ, "read endpoint metrics")
        if not 0 < window_s <= MAX_WINDOW_S:
            raise InvalidInputError(
                f"window_s is a number of seconds from 1 to {MAX_WINDOW_S}.",
                code="traffic.bad_window",
            )
        if self._log is not None:
            self._log.flush()
        now = datetime.now(UTC)
        with self._uow.begin() as session:
            deployment = deployment_row(session, actor, name)
            rows = session.execute(
                select(
                    SqlPrediction.model_version_id,
                    SqlPrediction.role,
                    SqlPrediction.latency_ms,
                    SqlPrediction.output,
                ).where(
                    SqlPrediction.deployment_id == deployment.id,
                    SqlPrediction.created_at >= now - timedelta(seconds=window_s),
                )
            ).all()
        groups: dict[tuple[int, str], list[tuple[float, bool]]] = defaultdict(list)
        for version_id, role, latency, output in rows:
            groups[(version_id, role)].append((latency, "error" in (output or {})))
        return TrafficStats(
            endpoint=name,
            window_s=window_s,
            at=now,
            arms=[_stats(key, values, window_s) for key, values in sorted(groups.items())],
        )

    def _running(self, session: Session, deployment: SqlDeployment) -> CanaryState:
        state = canary_of(current_revision(session, deployment))
        if state is None:
            raise ConflictError(
                f"No canary is running on {deployment.name!r}; start one first.",
                code="traffic.no_canary",
            )
        return state

    def _apply(
        self,
        session: Session,
        actor: Actor,
        deployment: SqlDeployment,
        arms: Sequence[Arm],
        action: str,
        note: str,
        canary: CanaryState | None = None,
    ) -> DeploymentRevision:
        """Check every arm may be served here, append the revision, audit it."""
        for arm in arms:
            version = model_version_row(session, actor, arm.model_version_id)
            check_servable(deployment.stage, version)
        row = add_revision(
            session, actor, deployment, arms, action=action, note=note, canary=canary
        )
        record_event(
            session,
            actor,
            f"endpoint.{action}",
            ("endpoint", deployment.name),
            {"revision": row.revision, "arms": row.arms, "note": note},
        )
        if self._on_change is not None:
            self._on_change(actor.workspace_id, deployment.name)
        return to_revision(session, deployment, row)


def _stats(key: tuple[int, str], values: list[tuple[float, bool]], window_s: float) -> ArmStats:
    latencies = [latency for latency, _ in values]
    return ArmStats(
        model_version_id=key[0],
        role=ArmRole(key[1]),
        requests=len(values),
        rate_per_s=len(values) / window_s,
        p50_latency_ms=percentile(latencies, 50),
        p95_latency_ms=percentile(latencies, 95),
        errors=sum(is_error for _, is_error in values),
    )


__all__ = ["TrafficService"]
