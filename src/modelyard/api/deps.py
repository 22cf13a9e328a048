"""FastAPI dependencies, defined once: the acting user and the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from modelyard.domain import Actor
from modelyard.errors import AuthenticationError
from modelyard.services.container import Services

_bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/v1/auth/tokens.")


async def get_services(request: Request) -> Services:  # async: no thread hop per request
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_actor(
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
    token = credentials.credentials
    # a token validated in the last seconds costs nothing; otherwise the DB, off the loop
    actor = services.users.cached_actor(token)
    if actor is None:
        actor = await run_in_threadpool(services.users.resolve_token, token)
    request.state.actor = actor.username
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]
Offset = Annotated[int, Query(ge=0, description="How many items to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (at most 500).")]
