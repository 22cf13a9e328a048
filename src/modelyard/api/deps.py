"""FastAPI dependencies, defined once: the acting user and the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from modelyard.domain import Actor
from modelyard.errors import AuthenticationError
from modelyard.services.container import Services

_bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/v1/auth/tokens.")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_actor(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise AuthenticationError(
            "Authentication required: send 'Authorization: Bearer <token>' (get a token from "
            "POST /api/v1/auth/tokens or `modelyard login`).",
            code="auth.missing_token",
        )
    actor = services.users.resolve_token(credentials.credentials)
    request.state.actor = actor.username
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]
Offset = Annotated[int, Query(ge=0, description="How many items to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500).")]
