"""The one way a finished training job becomes a Run row (supervised or not)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from modelyard.db.tables import SqlRun
from modelyard.domain import Actor
from modelyard.services.audit import record_event


def add_run(session: Session, actor: Actor, **values: Any) -> int:
    """Insert a run (``values``: its SqlRun columns) and its ``run.create`` audit event in
    the caller's transaction; return the run's id."""
    row = SqlRun(workspace_id=actor.workspace_id, created_by=actor.username, **values)
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        "run.create",
        ("run", row.id),
        {"job_id": row.job_id, "metrics": row.metrics},
    )
    return row.id


__all__ = ["add_run"]
