"""Schedules: batch scoring jobs started by a cron expression.

``run_due(now)`` is called by the scheduler loop of every server process. A due schedule
is *claimed* with ``UPDATE ... WHERE next_run_at = <value read>``: of two processes that
read the same due row, only one moves ``next_run_at`` on and submits the job.
"""

from __future__ import annotations

import builtins
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlDeployment, SqlSchedule, SqlUser
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Job, Page, Permission, Role
from modelyard.domain.schedules import (
    Schedule,
    ScheduleKind,
    check_timezone,
    next_runs,
    normalize_cron,
)
from modelyard.errors import ConflictError, InvalidInputError, ModelyardError, NotFoundError
from modelyard.services.audit import record_event
from modelyard.services.scoring import FORMATS, BatchScoringService, check_scorable

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,99}$")


@dataclass(frozen=True)
class ScoringTarget:
    """What a batch scoring schedule scores: a model version (or an endpoint's), and data."""

    dataset_version_id: int
    model_version_id: int | None = None
    endpoint: str | None = None
    format: str = "csv"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _schedule_row(session: Session, actor: Actor, schedule_id: int) -> SqlSchedule:
    row = session.get(SqlSchedule, schedule_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No schedule with id {schedule_id}.", code="schedule.not_found")
    return row


def _owner(session: Session, row: SqlSchedule) -> Actor:
    """The schedule runs as the person who made it, with the role they hold now."""
    user = session.get(SqlUser, row.created_by_id)
    role = Role(user.role) if user is not None and user.is_active else Role.VIEWER
    return Actor(
        user_id=row.created_by_id,
        username=row.created_by,
        workspace_id=row.workspace_id,
        role=role,
    )


def _model_version_id(session: Session, actor: Actor, params: dict[str, Any]) -> int:
    if params.get("model_version_id") is not None:
        return int(params["model_version_id"])
    name = str(params.get("endpoint") or "")
    deployment = session.scalar(
        select(SqlDeployment).where(
            SqlDeployment.workspace_id == actor.workspace_id, SqlDeployment.name == name
        )
    )
    if deployment is None:
        raise NotFoundError(f"No endpoint named {name!r}.", code="endpoint.not_found")
    return deployment.model_version_id


def _params(session: Session, actor: Actor, target: ScoringTarget) -> dict[str, Any]:
    if (target.model_version_id is None) == (target.endpoint is None):
        raise InvalidInputError(
            "Name either a model version id or an endpoint (whose current version is scored).",
            code="schedule.bad_target",
        )
    if target.format not in FORMATS:
        raise InvalidInputError(
            f"Output format must be one of {', '.join(FORMATS)}, not {target.format!r}.",
            code="schedule.bad_format",
        )
    params: dict[str, Any] = {
        "model_version_id": target.model_version_id,
        "endpoint": target.endpoint,
        "dataset_version_id": target.dataset_version_id,
        "format": target.format,
    }
    check_scorable(
        session, actor, _model_version_id(session, actor, params), target.dataset_version_id
    )
    return params


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise InvalidInputError(
            "A schedule name has 1-100 letters, digits, spaces, '_', '.' or '-', and starts "
            "with a letter or digit.",
            code="schedule.bad_name",
        )
    return name


class ScheduleService:
    def __init__(self, uow: UnitOfWork, scoring: BatchScoringService) -> None:
        self._uow = uow
        self._scoring = scoring

    def create(
        self,
        actor: Actor,
        name: str,
        cron: str,
        target: ScoringTarget,
        *,
        timezone: str = "UTC",
        is_enabled: bool = True,
        now: datetime | None = None,
    ) -> Schedule:
        """Schedule batch scoring of ``target`` each time ``cron`` fires (in ``timezone``)."""
        actor.require(Permission.WRITE, "schedule jobs")
        name, cron = _check_name(name), normalize_cron(cron)
        check_timezone(timezone)
        now = now or _utcnow()
        with self._uow.begin() as session:
            params = _params(session, actor, target)
            if session.scalar(
                select(SqlSchedule.id).where(
                    SqlSchedule.workspace_id == actor.workspace_id, SqlSchedule.name == name
                )
            ):
                raise ConflictError(
                    f"A schedule named {name!r} exists already; pick another name.",
                    code="schedule.duplicate",
                )
            row = SqlSchedule(
                workspace_id=actor.workspace_id,
                name=name,
                cron=cron,
                timezone=timezone,
                kind=ScheduleKind.BATCH_SCORING,
                params=params,
                is_enabled=is_enabled,
                next_run_at=next_runs(cron, timezone, now)[0] if is_enabled else None,
                created_by_id=actor.user_id,
                created_by=actor.username,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            record_event(
                session, actor, "schedule.create", ("schedule", row.id), {"cron": cron, **params}
            )
            return Schedule.model_validate(row)

    def get(self, actor: Actor, schedule_id: int) -> Schedule:
        actor.require(Permission.READ, "read schedules")
        with self._uow.begin() as session:
            return Schedule.model_validate(_schedule_row(session, actor, schedule_id))

    def list(
        self,
        actor: Actor,
        *,
        model_version_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Schedule]:
        actor.require(Permission.READ, "list schedules")
        with self._uow.begin() as session:
            query = select(SqlSchedule).where(SqlSchedule.workspace_id == actor.workspace_id)
            rows = [
                Schedule.model_validate(row)
                for row in session.scalars(query.order_by(SqlSchedule.id.desc()))
            ]
        items = [
            item
            for item in rows
            if model_version_id is None or item.params.get("model_version_id") == model_version_id
        ]
        return Page(
            items=items[offset : offset + limit], total=len(items), offset=offset, limit=limit
        )

    def set_enabled(
        self, actor: Actor, schedule_id: int, is_enabled: bool, *, now: datetime | None = None
    ) -> Schedule:
        """Enable (next run computed from now) or disable (no next run) a schedule."""
        actor.require(Permission.WRITE, "change schedules")
        now = now or _utcnow()
        with self._uow.begin() as session:
            row = _schedule_row(session, actor, schedule_id)
            row.is_enabled = is_enabled
            row.next_run_at = next_runs(row.cron, row.timezone, now)[0] if is_enabled else None
            row.updated_at = now
            action = "schedule.enable" if is_enabled else "schedule.disable"
            record_event(session, actor, action, ("schedule", row.id))
            return Schedule.model_validate(row)

    def delete(self, actor: Actor, schedule_id: int) -> None:
        actor.require(Permission.WRITE, "delete schedules")
        with self._uow.begin() as session:
            row = _schedule_row(session, actor, schedule_id)
            record_event(
                session, actor, "schedule.delete", ("schedule", row.id), {"name": row.name}
            )
            session.delete(row)

    def preview(
        self,
        actor: Actor,
        cron: str,
        *,
        timezone: str = "UTC",
        count: int = 5,
        now: datetime | None = None,
    ) -> builtins.list[datetime]:
        """The next ``count`` times ``cron`` fires, in UTC: check an expression before saving."""
        actor.require(Permission.READ, "preview schedules")
        return next_runs(cron, timezone, now or _utcnow(), count)

    def run_now(self, actor: Actor, schedule_id: int, *, now: datetime | None = None) -> Job:
        """Start the schedule's job at once; its next planned run stays as it was."""
        actor.require(Permission.WRITE, "run schedules")
        with self._uow.begin() as session:
            row = _schedule_row(session, actor, schedule_id)
            params = dict(row.params)
        job = self._submit(actor, schedule_id, params, now or _utcnow(), raise_errors=True)
        assert job is not None  # raise_errors: a failure raised instead
        return job

    def run_due(self, now: datetime | None = None) -> builtins.list[int]:
        """Submit one job for each enabled schedule due at ``now``; return the job ids.

        Safe with several processes: each due schedule is claimed by exactly one of them.
        """
        now = now or _utcnow()
        with self._uow.begin() as session:
            due = session.execute(
                select(SqlSchedule.id, SqlSchedule.next_run_at).where(
                    SqlSchedule.is_enabled.is_(True), SqlSchedule.next_run_at <= now
                )
            ).all()
        jobs = []
        for schedule_id, planned in due:
            if planned is None:
                continue
            claimed = self._claim(schedule_id, planned, now)
            if claimed is not None:
                actor, params = claimed
                job = self._submit(actor, schedule_id, params, now, raise_errors=False)
                if job is not None:
                    jobs.append(job.id)
        return jobs

    def _claim(
        self, schedule_id: int, planned: datetime, now: datetime
    ) -> tuple[Actor, dict[str, Any]] | None:
        with self._uow.begin() as session:
            row = session.get_one(SqlSchedule, schedule_id)
            following = next_runs(row.cron, row.timezone, now)[0]
            result = session.execute(
                update(SqlSchedule)
                .where(
                    SqlSchedule.id == schedule_id,
                    SqlSchedule.next_run_at == planned,
                    SqlSchedule.is_enabled.is_(True),
                )
                .values(next_run_at=following, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                return None  # another process claimed it, or it was disabled meanwhile
            return _owner(session, row), dict(row.params)

    def _submit(
        self,
        actor: Actor,
        schedule_id: int,
        params: dict[str, Any],
        now: datetime,
        *,
        raise_errors: bool,
    ) -> Job | None:
        job, error = None, None
        try:
            with self._uow.begin() as session:
                model_version_id = _model_version_id(session, actor, params)
            job = self._scoring.start(actor, model_version_id, int(params["dataset_version_id"]))
        except ModelyardError as exc:
            if raise_errors:
                raise
            error = exc.message
            log.warning("schedule %s could not start its job: %s", schedule_id, exc.message)
        with self._uow.begin() as session:
            row = session.get_one(SqlSchedule, schedule_id)
            row.last_run_at = now
            row.last_error = error
            if job is not None:
                row.last_job_id = job.id
            record_event(
                session,
                actor,
                "schedule.run",
                ("schedule", schedule_id),
                {"job_id": job and job.id, "error": error},
            )
        return job


__all__ = ["ScheduleService", "ScoringTarget"]
