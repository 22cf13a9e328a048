"""Profiles (EDA) of dataset versions, and the versions that cleaning and sampling derive.

Profiling runs as a job: the worker profiles the version's Parquet file with
:mod:`modelyard.profiling`, writes the profile (JSON) and its HTML report to the artifact
store under their content hash, then records a row pointing at both.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from modelyard.db.tables import SqlDatasetProfile, SqlJob
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, DatasetVersion, Job, JobKind, Permission
from modelyard.domain.entities import ProfileSummary
from modelyard.errors import DependencyUnavailableError, InvalidInputError, NotFoundError
from modelyard.ports import ArtifactStore, ProgressReporter
from modelyard.services.audit import record_event
from modelyard.services.dataset_changes import DatasetChangeService
from modelyard.services.jobs import JobService, add_job, to_job
from modelyard.services.versions import version_row

SAMPLE_METHODS = ("random", "stratified", "systematic", "cluster")


class ProfileService:
    def __init__(
        self,
        uow: UnitOfWork,
        artifacts: ArtifactStore,
        changes: DatasetChangeService,
        jobs: JobService | None,
    ) -> None:
        self._uow = uow
        self._artifacts = artifacts
        self._changes = changes
        self._jobs = jobs

    def start(self, actor: Actor, version_id: int, *, target: str | None = None) -> Job:
        """Queue a profiling job for a version (optionally with a target to analyse)."""
        actor.require(Permission.WRITE, "profile datasets")
        if self._jobs is None:
            raise DependencyUnavailableError("This process runs no jobs.", code="jobs.unavailable")
        with self._uow.begin() as session:
            version = version_row(session, actor, version_id)
            names = [c["name"] for c in version.columns]
            if target is not None and target not in names:
                raise InvalidInputError(
                    f"The target {target!r} is not a column of this version.",
                    code="profile.target_unknown",
                    details={"columns": names[:200]},
                )
            params = {"dataset_version_id": version_id, "target": target}
            job_id = add_job(session, actor, JobKind.PROFILE, params).id
        self._jobs.dispatch(job_id)
        with self._uow.begin() as session:
            return to_job(session.get_one(SqlJob, job_id))

    def execute(
        self, actor: Actor, job_id: int, params: dict[str, Any], reporter: ProgressReporter
    ) -> dict[str, Any]:
        """The worker side of ``start``."""
        from modelyard.profiling import profile_table, render_html

        version_id, target = int(params["dataset_version_id"]), params.get("target")
        with self._uow.begin() as session:
            version = version_row(session, actor, version_id)
            key, label = version.artifact_path, f"dataset version {version.version}"
        profile = profile_table(self._source(key), target=target, progress=_scaled(reporter))
        reporter.report(0.95, "writing the report")
        document = json.dumps(profile.to_dict(), allow_nan=False).encode()
        html = render_html(profile, title=f"Profile of {label}").encode()
        profile_key = _content_key("profiles", document, "json")
        report_key = _content_key("reports", html, "html")
        self._artifacts.put_bytes(document, profile_key)  # files first, then the row
        self._artifacts.put_bytes(html, report_key)
        with self._uow.begin() as session:
            row = SqlDatasetProfile(
                dataset_version_id=version_id,
                job_id=job_id,
                target=target,
                artifact_path=profile_key,
                report_path=report_key,
                quality_score=profile.quality.score,
                created_by=actor.username,
            )
            session.add(row)
            session.flush()
            record_event(
                session,
                actor,
                "dataset.profile",
                ("dataset_version", version_id),
                {"job_id": job_id},
            )
            profile_id = row.id
        reporter.report(1.0, f"quality score {profile.quality.score:.0f}/100")
        return {"profile_id": profile_id, "quality_score": profile.quality.score}

    def _source(self, key: str) -> Any:
        local = self._artifacts.local_path(key)
        return local if local is not None else self._artifacts.arrow_dataset(key).to_table()

    def latest(self, actor: Actor, version_id: int) -> ProfileSummary:
        """The newest profile of a version, with its full content."""
        actor.require(Permission.READ, "read profiles")
        with self._uow.begin() as session:
            version_row(session, actor, version_id)
            row = session.scalar(
                select(SqlDatasetProfile)
                .where(SqlDatasetProfile.dataset_version_id == version_id)
                .order_by(SqlDatasetProfile.id.desc())
                .limit(1)
            )
            if row is None:
                raise NotFoundError(
                    f"Dataset version {version_id} has no profile yet; start one first.",
                    code="profile.not_found",
                )
            summary = ProfileSummary.model_validate(row)
        with self._artifacts.open(row.artifact_path) as fh:
            return summary.model_copy(update={"profile": json.load(fh)})

    def report_html(self, actor: Actor, version_id: int) -> str:
        """The self-contained HTML report of a version's newest profile."""
        summary = self.latest(actor, version_id)
        with self._uow.begin() as session:
            key = session.get_one(SqlDatasetProfile, summary.id).report_path
        with self._artifacts.open(key) as fh:
            return fh.read().decode()

    def clean(self, actor: Actor, version_id: int, steps: list[dict[str, Any]]) -> DatasetVersion:
        """Apply cleaning steps (chosen suggestions): a new version, the steps in its lineage."""
        from modelyard.profiling import apply_steps, parse_steps

        actor.require(Permission.WRITE, "clean datasets")
        parsed = parse_steps(steps)
        if not parsed:
            raise InvalidInputError("Choose at least one cleaning step.", code="cleaning.no_steps")
        table, dataset_id = self._table(actor, version_id)
        cleaned = apply_steps(table, parsed)
        lineage = [{"step": "clean", **step.model_dump(mode="json")} for step in parsed]
        return self._changes.store_derived(actor, version_id, dataset_id, cleaned, lineage)

    def sample(
        self,
        actor: Actor,
        version_id: int,
        *,
        method: str,
        size: int,
        seed: int = 0,
        column: str | None = None,
    ) -> DatasetVersion:
        """A sample of a version as a new version (random, stratified, systematic, cluster)."""
        from modelyard.profiling import sample_table

        actor.require(Permission.WRITE, "sample datasets")
        if method not in SAMPLE_METHODS:
            raise InvalidInputError(
                f"Sampling method must be one of {', '.join(SAMPLE_METHODS)}.",
                code="sample.bad_method",
            )
        table, dataset_id = self._table(actor, version_id)
        sampled = sample_table(table, method=method, size=size, seed=seed, column=column)  # type: ignore[arg-type]
        step = {"step": "sample", "method": method, "size": size, "seed": seed, "column": column}
        return self._changes.store_derived(actor, version_id, dataset_id, sampled, [step])

    def _table(self, actor: Actor, version_id: int) -> tuple[Any, int]:
        with self._uow.begin() as session:
            row = version_row(session, actor, version_id)
            key, dataset_id = row.artifact_path, row.dataset_id
        return self._artifacts.arrow_dataset(key).to_table(), dataset_id


def _content_key(folder: str, data: bytes, suffix: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{folder}/{digest[:2]}/{digest}.{suffix}"


def _scaled(reporter: ProgressReporter) -> Any:
    def report(fraction: float, message: str) -> None:
        reporter.report(0.9 * fraction, message)

    return report


__all__ = ["SAMPLE_METHODS", "ProfileService"]
