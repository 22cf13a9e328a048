from __future__ import annotations

from fastapi import APIRouter

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import AuditEventRead
from modelyard.domain import Page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEventRead], summary="The audit trail, newest first")
def list_audit(
    actor: CurrentActor,
    services: ServicesDep,
    action: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.audit.list(actor, action=action, offset=offset, limit=limit)
