"""Deployment revisions: the append-only history of an endpoint's traffic configuration.

Repository functions shared by DeploymentService (create, update, predict) and
TrafficService (weights, canary, rollback, history); they take the session and flush.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modelyard.db.tables import (
    SqlDeployment,
    SqlDeploymentRevision,
    SqlModelVersion,
    SqlPromotionDecision,
    SqlPromotionRequest,
)
from modelyard.domain import Actor
from modelyard.domain.approvals import RequestStatus
from modelyard.domain.traffic import (
    Arm,
    ArmApproval,
    ArmInfo,
    CanaryState,
    DeploymentRevision,
    primary_arm,
)


def approved_request(session: Session, model_version_id: int) -> SqlPromotionRequest | None:
    """The newest approved promotion request of a version (what let it into its stage)."""
    return session.scalar(
        select(SqlPromotionRequest)
        .where(
            SqlPromotionRequest.model_version_id == model_version_id,
            SqlPromotionRequest.status == RequestStatus.APPROVED,
        )
        .order_by(SqlPromotionRequest.id.desc())
        .limit(1)
    )


def add_revision(
    session: Session,
    actor: Actor,
    deployment: SqlDeployment,
    arms: Sequence[Arm],
    *,
    action: str,
    note: str = "",
    canary: CanaryState | None = None,
) -> SqlDeploymentRevision:
    """Append a revision and make it the endpoint's current one (one atomic switch)."""
    number = session.scalar(
        select(func.max(SqlDeploymentRevision.revision)).where(
            SqlDeploymentRevision.deployment_id == deployment.id
        )
    )
    approvals = [approved_request(session, arm.model_version_id) for arm in arms]
    row = SqlDeploymentRevision(
        deployment_id=deployment.id,
        revision=(number or 0) + 1,
        arms=[arm.model_dump(mode="json") for arm in arms],
        canary=canary.model_dump(mode="json") if canary else None,
        action=action,
        note=note,
        approval_request_ids=[a.id for a in approvals if a is not None],
        created_by=actor.username,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    deployment.revision_id = row.id
    deployment.model_version_id = primary_arm(arms).model_version_id
    deployment.updated_at = row.created_at
    return row


def current_revision(session: Session, deployment: SqlDeployment) -> SqlDeploymentRevision:
    if deployment.revision_id is not None:
        return session.get_one(SqlDeploymentRevision, deployment.revision_id)
    # an endpoint from before revisions existed and not migrated: serve its one version
    return SqlDeploymentRevision(
        id=0,
        deployment_id=deployment.id,
        revision=0,
        arms=[Arm(model_version_id=deployment.model_version_id, weight=100).model_dump()],
        canary=None,
        action="create",
        note="",
        approval_request_ids=[],
        created_by=deployment.created_by,
        created_at=deployment.created_at,
    )


def arms_of(row: SqlDeploymentRevision) -> list[Arm]:
    return [Arm.model_validate(arm) for arm in row.arms]


def canary_of(row: SqlDeploymentRevision) -> CanaryState | None:
    return CanaryState.model_validate(row.canary) if row.canary else None


def to_revision(
    session: Session, deployment: SqlDeployment, row: SqlDeploymentRevision
) -> DeploymentRevision:
    requests = {
        r.model_version_id: r
        for r in session.scalars(
            select(SqlPromotionRequest).where(
                SqlPromotionRequest.id.in_(list(row.approval_request_ids or []))
            )
        )
    }
    infos = []
    for arm in arms_of(row):
        version = session.get_one(SqlModelVersion, arm.model_version_id)
        request = requests.get(arm.model_version_id)
        infos.append(
            ArmInfo(
                model_version_id=arm.model_version_id,
                model_name=version.name,
                model_version=version.version,
                weight=arm.weight,
                role=arm.role,
                approval=_approval(session, request) if request else None,
            )
        )
    return DeploymentRevision(
        id=row.id,
        deployment_id=deployment.id,
        endpoint=deployment.name,
        revision=row.revision,
        arms=infos,
        canary=canary_of(row),
        action=row.action,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _approval(session: Session, request: SqlPromotionRequest) -> ArmApproval:
    decisions = list(
        session.scalars(
            select(SqlPromotionDecision)
            .where(
                SqlPromotionDecision.request_id == request.id,
                SqlPromotionDecision.is_approved.is_(True),
            )
            .order_by(SqlPromotionDecision.id)
        )
    )
    return ArmApproval(
        request_id=request.id,
        target_stage=request.target_stage,
        requested_by=request.requested_by,
        note=request.note,
        approvers=[d.approver for d in decisions],
        comments=[d.comment for d in decisions if d.comment],
        decided_at=request.decided_at,
    )


__all__ = [
    "add_revision",
    "approved_request",
    "arms_of",
    "canary_of",
    "current_revision",
    "to_revision",
]
