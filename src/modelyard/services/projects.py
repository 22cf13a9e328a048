"""Projects: the unit a team works in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlProject
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Objective, Page, Permission, Project, ProjectStatus
from modelyard.errors import ConflictError, InvalidInputError, NotFoundError
from modelyard.services.audit import record_event
from modelyard.services.paging import paginate


def to_project(row: SqlProject) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        description=row.description,
        status=ProjectStatus(row.status),
        objective=Objective.model_validate(row.objective),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def project_row(session: Session, actor: Actor, project_id: int) -> SqlProject:
    """The project ``project_id`` in the actor's workspace, or NotFoundError."""
    row = session.get(SqlProject, project_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No project with id {project_id}.", code="project.not_found")
    return row


class ProjectService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def create(
        self,
        actor: Actor,
        name: str,
        *,
        description: str = "",
        objective: Objective | None = None,
    ) -> Project:
        actor.require(Permission.WRITE, "create projects")
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidInputError(
                "A project needs a name of 1-200 characters.", code="project.bad_name"
            )
        with self._uow.begin() as session:
            exists = session.scalar(
                select(SqlProject.id).where(
                    SqlProject.workspace_id == actor.workspace_id, SqlProject.name == name
                )
            )
            if exists:
                raise ConflictError(
                    f"A project named {name!r} exists already.", code="project.exists"
                )
            row = SqlProject(
                workspace_id=actor.workspace_id,
                name=name,
                description=description,
                status=ProjectStatus.DRAFT,
                objective=(objective or Objective()).model_dump(),
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            record_event(session, actor, "project.create", ("project", row.id), {"name": name})
            return to_project(row)

    def get(self, actor: Actor, project_id: int) -> Project:
        actor.require(Permission.READ, "read projects")
        with self._uow.begin() as session:
            return to_project(project_row(session, actor, project_id))

    def list(
        self, actor: Actor, *, search: str | None = None, offset: int = 0, limit: int = 50
    ) -> Page[Project]:
        actor.require(Permission.READ, "list projects")
        with self._uow.begin() as session:
            query = select(SqlProject).where(SqlProject.workspace_id == actor.workspace_id)
            if search:
                pattern = f"%{search.strip()}%"
                query = query.where(
                    or_(SqlProject.name.ilike(pattern), SqlProject.description.ilike(pattern))
                )
            query = query.order_by(SqlProject.updated_at.desc(), SqlProject.id.desc())
            return paginate(session, query, to_project, offset=offset, limit=limit)

    def update(
        self,
        actor: Actor,
        project_id: int,
        *,
        description: str | None = None,
        status: ProjectStatus | None = None,
        objective: Objective | None = None,
    ) -> Project:
        actor.require(Permission.WRITE, "change projects")
        with self._uow.begin() as session:
            row = project_row(session, actor, project_id)
            changes: dict[str, object] = {}
            if description is not None:
                row.description = description
                changes["description"] = True
            if status is not None:
                row.status = status
                changes["status"] = str(status)
            if objective is not None:
                row.objective = objective.model_dump()
                changes["objective"] = True
            row.updated_at = datetime.now(UTC)
            record_event(session, actor, "project.update", ("project", row.id), changes)
            return to_project(row)
