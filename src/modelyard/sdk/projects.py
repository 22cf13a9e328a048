"""``client.projects``: modelling goals."""

from __future__ import annotations

from typing import Any

from modelyard.domain import Objective, Page, Project, ProjectStatus
from modelyard.sdk.transport import Resource


class Projects(Resource):
    def create(
        self,
        name: str,
        *,
        description: str = "",
        objective: Objective | dict[str, Any] | None = None,
    ) -> Project:
        body = {"name": name, "description": description, "objective": _objective(objective) or {}}
        return self._send(Project, "POST", "/projects", json=body)

    def get(self, project_id: int) -> Project:
        return self._send(Project, "GET", f"/projects/{project_id}")

    def list(self, *, search: str | None = None, offset: int = 0, limit: int = 50) -> Page[Project]:
        params = {"search": search, "offset": offset, "limit": limit}
        return self._send(Page[Project], "GET", "/projects", params=params)

    def update(
        self,
        project_id: int,
        *,
        description: str | None = None,
        status: ProjectStatus | str | None = None,
        objective: Objective | dict[str, Any] | None = None,
    ) -> Project:
        """Change only what is given."""
        body = {"description": description, "status": status, "objective": _objective(objective)}
        changes = {key: value for key, value in body.items() if value is not None}
        return self._send(Project, "PATCH", f"/projects/{project_id}", json=changes)


def _objective(objective: Objective | dict[str, Any] | None) -> dict[str, Any] | None:
    return objective.model_dump() if isinstance(objective, Objective) else objective
