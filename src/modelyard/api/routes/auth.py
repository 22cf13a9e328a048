from __future__ import annotations

from fastapi import APIRouter

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import ApiTokenRead, TokenCreate, TokenRead, UserRead
from modelyard.domain import Page

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/tokens",
    response_model=TokenRead,
    status_code=201,
    summary="Log in: username and password in, API token out",
)
def create_token(body: TokenCreate, services: ServicesDep) -> TokenRead:
    issued = services.users.issue_token(body.username, body.password, name=body.name)
    return TokenRead(
        token=issued.token,
        token_id=issued.info.id,
        expires_at=issued.info.expires_at,
        user=UserRead.model_validate(issued.user),
    )


@router.get(
    "/tokens",
    response_model=Page[ApiTokenRead],
    summary="My API tokens (secrets are never shown again)",
)
def list_tokens(actor: CurrentActor, services: ServicesDep, offset: Offset = 0, limit: Limit = 50):
    return services.users.list_tokens(actor, offset=offset, limit=limit)


@router.delete("/tokens/{token_id}", response_model=ApiTokenRead, summary="Revoke a token")
def revoke_token(token_id: int, actor: CurrentActor, services: ServicesDep):
    return services.users.revoke_token(actor, token_id)


@router.get("/me", response_model=UserRead, summary="The user the token belongs to")
def me(actor: CurrentActor, services: ServicesDep):
    return services.users.get(actor, actor.user_id)
