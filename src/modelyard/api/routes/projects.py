from __future__ import annotations

from fastapi import APIRouter, Query

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import ProjectCreate, ProjectRead, ProjectUpdate
from modelyard.domain import Page

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=Page[ProjectRead], summary="List projects, newest activity first")
def list_projects(
    actor: CurrentActor,
    services: ServicesDep,
    search: str | None = Query(default=None, description="Text in name or description."),
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.projects.list(actor, search=search, offset=offset, limit=limit)


@router.post("", response_model=ProjectRead, status_code=201, summary="Create a project")
def create_project(body: ProjectCreate, actor: CurrentActor, services: ServicesDep):
    return services.projects.create(
        actor, body.name, description=body.description, objective=body.objective
    )


@router.get("/{project_id}", response_model=ProjectRead, summary="One project")
def get_project(project_id: int, actor: CurrentActor, services: ServicesDep):
    return services.projects.get(actor, project_id)


@router.patch(
    "/{project_id}", response_model=ProjectRead, summary="Change description, status or objective"
)
def update_project(
    project_id: int, body: ProjectUpdate, actor: CurrentActor, services: ServicesDep
):
    return services.projects.update(
        actor,
        project_id,
        description=body.description,
        status=body.status,
        objective=body.objective,
    )
