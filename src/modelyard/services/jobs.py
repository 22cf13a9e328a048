"""Jobs: heavy work on Dask, with status, progress, log and result in the metadata DB.

The job row is the single truth: the API, the UI and the CLI read it; a Dask worker
writes it through :class:`JobRecorder`. Only the job id and plain parameters cross to
the worker: no sessions, rows or clients.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from modelyard.db.tables import SqlJob, SqlJobLog, SqlUser
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Job, JobKind, JobLogLine, JobStatus, Page, Permission, Role
from modelyard.domain.jobs import may_become
from modelyard.errors import ConflictError, JobCancelledError, NotFoundError
from modelyard.ports import Compute
from modelyard.services.audit import record_event
from modelyard.services.paging import paginate

log = logging.getLogger(__name__)

JobFunction = Callable[[int, dict[str, Any]], None]
WORKER_LOST = "job.worker_lost"


def dask_key(job_id: int) -> str:
    return f"modelyard-job-{job_id}"


def to_job(row: SqlJob) -> Job:
    return Job.model_validate(row)


def job_row(session: Session, actor: Actor, job_id: int) -> SqlJob:
    row = session.get(SqlJob, job_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFoundError(f"No job with id {job_id}.", code="job.not_found")
    return row


def add_job(
    session: Session,
    actor: Actor,
    kind: JobKind,
    params: dict[str, Any],
    *,
    project_id: int | None = None,
) -> SqlJob:
    """Add a queued job to the caller's transaction; dispatch it with JobService after commit."""
    row = SqlJob(
        workspace_id=actor.workspace_id,
        project_id=project_id,
        kind=kind,
        params=params,
        status=JobStatus.QUEUED,
        message="waiting for a worker",
        created_by_id=actor.user_id,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    row.dask_key = dask_key(row.id)
    record_event(session, actor, f"job.submit.{kind}", ("job", row.id), params)
    return row


class JobService:
    def __init__(
        self,
        uow: UnitOfWork,
        compute: Compute,
        *,
        run_job: JobFunction,
        worker_settings: dict[str, Any],
    ) -> None:
        self._uow = uow
        self._compute = compute
        self._run_job = run_job
        self._worker_settings = worker_settings

    def dispatch(self, job_id: int) -> None:
        """Send a committed queued job to Dask; if Dask refuses, the job fails with the reason."""
        key = dask_key(job_id)
        try:
            self._compute.submit(self._run_job, job_id, self._worker_settings, key=key)
            self._compute.on_failure(key, self._worker_lost)
        except Exception as exc:  # Dask refused or is down: the job must not stay queued
            log.exception("could not dispatch job %s", job_id)
            JobRecorder(self._uow).fail(
                job_id, "job.dispatch_failed", f"The job could not be started: {exc}"
            )

    def _worker_lost(self, key: str, reason: str) -> None:
        job_id = int(key.rsplit("-", 1)[-1])
        JobRecorder(self._uow).fail(
            job_id,
            WORKER_LOST,
            f"The worker running this job stopped before it finished ({reason}).",
        )

    def get(self, actor: Actor, job_id: int) -> Job:
        actor.require(Permission.READ, "read jobs")
        with self._uow.begin() as session:
            return to_job(job_row(session, actor, job_id))

    def list(
        self,
        actor: Actor,
        *,
        status: JobStatus | None = None,
        kind: JobKind | None = None,
        project_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Job]:
        actor.require(Permission.READ, "list jobs")
        with self._uow.begin() as session:
            query = select(SqlJob).where(SqlJob.workspace_id == actor.workspace_id)
            if status is not None:
                query = query.where(SqlJob.status == status)
            if kind is not None:
                query = query.where(SqlJob.kind == kind)
            if project_id is not None:
                query = query.where(SqlJob.project_id == project_id)
            return paginate(
                session, query.order_by(SqlJob.id.desc()), to_job, offset=offset, limit=limit
            )

    def logs(
        self, actor: Actor, job_id: int, *, after: int = 0, limit: int = 500
    ) -> Sequence[JobLogLine]:
        actor.require(Permission.READ, "read jobs")
        with self._uow.begin() as session:
            job_row(session, actor, job_id)
            rows = session.scalars(
                select(SqlJobLog)
                .where(SqlJobLog.job_id == job_id)
                .order_by(SqlJobLog.id)
                .offset(after)
                .limit(limit)
            ).all()
            return [JobLogLine.model_validate(row) for row in rows]

    def cancel(self, actor: Actor, job_id: int) -> Job:
        """Cancel a queued job at once; ask a running one to stop at its next progress report.

        Both are compare-and-set updates: a worker starting the job at the same moment
        either sees it cancelled or is asked to stop, never both nor neither.
        """
        actor.require(Permission.WRITE, "cancel jobs")
        with self._uow.begin() as session:
            row = job_row(session, actor, job_id)
            cancelled = _move(
                session,
                job_id,
                JobStatus.CANCELLED,
                "cancelled before it started",
                only_from=JobStatus.QUEUED,
            )
            if not cancelled and not _ask_to_stop(session, job_id):
                session.refresh(row)
                raise ConflictError(f"Job {job_id} has already {row.status}.", code="job.finished")
            record_event(session, actor, "job.cancel", ("job", job_id))
            session.refresh(row)
            job = to_job(row)
        if job.status is JobStatus.CANCELLED:
            self._compute.cancel(dask_key(job_id))
        return job

    def reconcile(self) -> int:
        """Fail unfinished jobs that no worker holds any more (after a restart); return how many."""
        with self._uow.begin() as session:
            unfinished = session.scalars(
                select(SqlJob.id).where(SqlJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            ).all()
        lost = [job_id for job_id in unfinished if not self._compute.is_alive(dask_key(job_id))]
        for job_id in lost:
            JobRecorder(self._uow).fail(
                job_id,
                WORKER_LOST,
                "The server restarted while this job was unfinished; start it again.",
            )
        for job_id in set(unfinished) - set(lost):
            self._compute.on_failure(dask_key(job_id), self._worker_lost)
        return len(lost)


def _ask_to_stop(session: Session, job_id: int) -> bool:
    """Flag a running job to stop at its next progress report; False when it is not running."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(SqlJob)
        .where(SqlJob.id == job_id, SqlJob.status == JobStatus.RUNNING)
        .values(is_cancel_requested=True, message="cancelling...")
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def _move(
    session: Session,
    job_id: int,
    status: JobStatus,
    message: str,
    *,
    only_from: JobStatus | None = None,
    **values: Any,
) -> bool:
    """Move the job to ``status`` if its current status allows it, in one conditional UPDATE.

    A read-then-write would lose a race (a worker starting the job while a user cancels
    it); the database decides instead, and False says another writer got there first.
    """
    sources = {only_from} if only_from else may_become(status)
    now = datetime.now(UTC)
    if status is JobStatus.RUNNING:
        values["started_at"] = now
    elif status.is_finished:
        values["finished_at"] = now
    if status is JobStatus.SUCCEEDED:
        values["progress"] = 1.0
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(SqlJob)
        .where(SqlJob.id == job_id, SqlJob.status.in_([str(s) for s in sources]))
        .values(status=status, message=message, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class StartedJob:
    actor: Actor
    kind: JobKind
    params: dict[str, Any]


class JobRecorder:
    """The worker side of a job: short transactions that record what happens."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def start(self, job_id: int) -> StartedJob | None:
        """Mark the job running; None when it was cancelled or failed before it started."""
        with self._uow.begin() as session:
            if not _move(session, job_id, JobStatus.RUNNING, "started"):
                return None
            row = session.get(SqlJob, job_id)
            assert row is not None
            user = session.get(SqlUser, row.created_by_id)
            role = Role(user.role) if user else Role.VIEWER
            actor = Actor(
                user_id=row.created_by_id,
                username=row.created_by,
                workspace_id=row.workspace_id,
                role=role,
            )
            return StartedJob(actor=actor, kind=JobKind(row.kind), params=dict(row.params))

    def succeed(self, job_id: int, result: dict[str, Any], message: str = "done") -> None:
        with self._uow.begin() as session:
            _move(session, job_id, JobStatus.SUCCEEDED, message, result=result)

    def fail(self, job_id: int, code: str, message: str) -> bool:
        """Mark an unfinished job failed; False when it had finished already."""
        with self._uow.begin() as session:
            failed = _move(
                session, job_id, JobStatus.FAILED, message, error_code=code, error_message=message
            )
            if failed:
                session.add(SqlJobLog(job_id=job_id, level="ERROR", message=message))
            return failed

    def cancelled(self, job_id: int) -> None:
        with self._uow.begin() as session:
            _move(session, job_id, JobStatus.CANCELLED, "cancelled")

    def reporter(self, job_id: int) -> DbProgressReporter:
        return DbProgressReporter(self._uow, job_id)


class DbProgressReporter:
    """Writes progress and log lines in short, throttled transactions."""

    def __init__(self, uow: UnitOfWork, job_id: int, *, every_s: float = 0.5) -> None:
        self._uow = uow
        self._job_id = job_id
        self._every_s = every_s
        self._last = 0.0

    def report(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self._last < self._every_s and fraction < 1.0:
            return
        self._last = now
        with self._uow.begin() as session:
            session.execute(
                update(SqlJob)
                .where(SqlJob.id == self._job_id, SqlJob.finished_at.is_(None))
                .values(progress=max(0.0, min(1.0, fraction)), message=message[:2000])
            )
            session.add(SqlJobLog(job_id=self._job_id, level="INFO", message=message))
            is_cancelled = session.scalar(
                select(SqlJob.is_cancel_requested).where(SqlJob.id == self._job_id)
            )
        if is_cancelled:
            raise JobCancelledError("The job was cancelled.")

    def log(self, message: str, level: str = "INFO") -> None:
        with self._uow.begin() as session:
            session.add(SqlJobLog(job_id=self._job_id, level=level, message=message))

    def partial(self, data: dict[str, Any]) -> None:
        """Keep the intermediate result on the job row (``result["partial"]``) while it runs."""
        with self._uow.begin() as session:
            session.execute(
                update(SqlJob)
                .where(SqlJob.id == self._job_id, SqlJob.finished_at.is_(None))
                .values(result={"partial": data})
            )
