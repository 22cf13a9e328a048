"""One router per resource under /api/v1."""

from fastapi import APIRouter

from modelyard.api.routes import (
    ab_tests,
    approvals,
    audit,
    auth,
    connections,
    datasets,
    endpoints,
    feedback,
    jobs,
    models,
    profiles,
    projects,
    runs,
    schedules,
    scoring,
    sql,
    training,
    users,
)

api_router = APIRouter(prefix="/api/v1")
for _module in (
    auth,
    users,
    projects,
    datasets,
    profiles,
    sql,
    connections,
    training,
    jobs,
    models,
    endpoints,
    scoring,
    feedback,
    approvals,
    audit,
    ab_tests,
    schedules,
    runs,
):
    api_router.include_router(_module.router)

__all__ = ["api_router"]
