from __future__ import annotations

from fastapi import APIRouter

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import UserCreate, UserRead
from modelyard.domain import Page

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=Page[UserRead], summary="Users of my workspace")
def list_users(actor: CurrentActor, services: ServicesDep, offset: Offset = 0, limit: Limit = 50):
    return services.users.list(actor, offset=offset, limit=limit)


@router.post("", response_model=UserRead, status_code=201, summary="Create a user (admins only)")
def create_user(body: UserCreate, actor: CurrentActor, services: ServicesDep):
    return services.users.create(actor, body.username, body.password, body.role)
