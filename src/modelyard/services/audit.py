"""The audit trail: an append-only record of every change, written in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlAuditEvent
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, AuditEvent, Page, Permission
from modelyard.services.paging import paginate


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    resource: tuple[str, object],
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to ``session``; it commits with the change it describes."""
    resource_type, resource_id = resource
    session.add(
        SqlAuditEvent(
            workspace_id=actor.workspace_id,
            actor_id=actor.user_id or None,
            actor_name=actor.username,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            details=details or {},
        )
    )


class AuditService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def list(
        self, actor: Actor, *, action: str | None = None, offset: int = 0, limit: int = 50
    ) -> Page[AuditEvent]:
        actor.require(Permission.APPROVE, "read the audit log")
        with self._uow.begin() as session:
            query = select(SqlAuditEvent).where(SqlAuditEvent.workspace_id == actor.workspace_id)
            if action:
                query = query.where(SqlAuditEvent.action == action)
            query = query.order_by(SqlAuditEvent.id.desc())
            return paginate(session, query, AuditEvent.model_validate, offset=offset, limit=limit)
