"""Wiring: engines, ports and services built once from settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine, text

from modelyard.db.engine import build_engine, build_session_factory, migrate
from modelyard.db.uow import UnitOfWork
from modelyard.integrations.fsspec_artifacts import FsspecArtifactStore
from modelyard.integrations.mlflow_tracker import MlflowTracker
from modelyard.ports import ArtifactStore, Compute, Tracker
from modelyard.services.ab_tests import ABTestService
from modelyard.services.approvals import ApprovalService
from modelyard.services.audit import AuditService
from modelyard.services.connections import ConnectionService
from modelyard.services.dataset_changes import DatasetChangeService
from modelyard.services.datasets import DatasetService
from modelyard.services.deployments import DeploymentService
from modelyard.services.feedback import FeedbackService
from modelyard.services.jobs import JobRecorder, JobService
from modelyard.services.model_exports import ModelExportService
from modelyard.services.models import ModelService
from modelyard.services.prediction_log import PredictionLog
from modelyard.services.profiles import ProfileService
from modelyard.services.projects import ProjectService
from modelyard.services.run_comparison import RunComparisonService
from modelyard.services.run_configs import RunConfigService
from modelyard.services.run_reports import RunReportService
from modelyard.services.schedules import ScheduleService
from modelyard.services.scoring import BatchScoringService
from modelyard.services.serving_cache import ServingCache
from modelyard.services.traffic import TrafficService
from modelyard.services.training import TrainingService
from modelyard.services.users import UserService
from modelyard.services.workbench import WorkbenchService
from modelyard.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    artifacts: ArtifactStore
    tracker: Tracker
    compute: Compute | None
    users: UserService
    audit: AuditService
    projects: ProjectService
    datasets: DatasetService
    dataset_changes: DatasetChangeService
    profiles: ProfileService
    jobs: JobService | None
    training: TrainingService
    models: ModelService
    deployments: DeploymentService
    approvals: ApprovalService
    feedback: FeedbackService
    scoring: BatchScoringService
    workbench: WorkbenchService
    connections: ConnectionService
    traffic: TrafficService
    prediction_log: PredictionLog | None = None
    owns_compute: bool = True

    @cached_property
    def schedules(self) -> ScheduleService:
        return ScheduleService(self.uow, self.scoring)

    @cached_property
    def model_exports(self) -> ModelExportService:
        return ModelExportService(self.uow, self.tracker, self.artifacts)

    @property
    def recorder(self) -> JobRecorder:
        return JobRecorder(self.uow)

    @property
    def ab_tests(self) -> ABTestService:
        return ABTestService(
            self.uow, self.prediction_log, self.approvals, on_change=self.deployments.forget
        )

    @property
    def run_comparison(self) -> RunComparisonService:
        return RunComparisonService(self.uow)

    @property
    def run_reports(self) -> RunReportService:
        return RunReportService(self.uow, self.tracker)

    @property
    def run_configs(self) -> RunConfigService:
        return RunConfigService(self.uow, self.training)

    def is_database_ready(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not ready"; /readyz says so
            return False

    def close(self) -> None:
        self.deployments.close()  # queued shadow copies reach the log before it closes
        if self.prediction_log is not None:
            self.prediction_log.close()
        if self.compute is not None and self.owns_compute:
            self.compute.close()
        self.engine.dispose()


def resolve_secret(settings: Settings) -> str:
    """The server secret: configured, or generated once and kept in the data home."""
    if settings.auth.session_secret is not None:
        return settings.auth.session_secret.get_secret_value()
    path = settings.home / ".session_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def build_services(
    settings: Settings, *, compute: Compute | None, run_migrations: bool = True
) -> Services:
    """Build everything from settings.

    ``compute`` is None in a Dask worker: it runs jobs, it does not submit them.
    """
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = build_engine(settings.database_url_resolved, echo=settings.db.echo)
    if run_migrations:
        migrate(engine)
    uow = UnitOfWork(build_session_factory(engine))
    assert settings.artifacts.uri and settings.mlflow.tracking_uri and settings.mlflow.artifact_uri
    artifacts = FsspecArtifactStore(settings.artifacts.uri)
    tracker = MlflowTracker(settings.mlflow.tracking_uri, settings.mlflow.artifact_uri)
    prediction_log = PredictionLog(uow)
    serving = ServingCache(tracker)
    deployments = DeploymentService(uow, tracker, prediction_log, serving)
    changes = DatasetChangeService(uow, artifacts)
    jobs = None
    if compute is not None:
        from modelyard.worker.tasks import run_job

        jobs = JobService(uow, compute, run_job=run_job, worker_settings=settings.worker_payload())
    return Services(
        settings=settings,
        engine=engine,
        uow=uow,
        artifacts=artifacts,
        tracker=tracker,
        compute=compute,
        users=UserService(uow, token_ttl_s=settings.auth.token_ttl_s),
        audit=AuditService(uow),
        projects=ProjectService(uow),
        datasets=DatasetService(
            uow, artifacts, max_upload_bytes=settings.artifacts.max_upload_bytes, jobs=jobs
        ),
        dataset_changes=changes,
        profiles=ProfileService(uow, artifacts, changes, jobs),
        jobs=jobs,
        training=TrainingService(
            uow,
            artifacts,
            tracker,
            jobs,
            default_budget_s=settings.training.default_time_budget_s,
            max_budget_s=settings.training.max_time_budget_s,
            default_max_trials=settings.training.default_max_trials,
            memory_limit_gb=settings.training.memory_limit_gb,
            parallel_trials=settings.training.parallel_trials,
        ),
        models=ModelService(uow, tracker),
        deployments=deployments,
        approvals=ApprovalService(uow, tracker, artifacts),
        feedback=FeedbackService(uow, prediction_log),
        scoring=BatchScoringService(uow, artifacts, tracker, jobs, serving=serving),
        workbench=WorkbenchService(uow, artifacts),
        prediction_log=prediction_log,
        connections=ConnectionService(
            uow,
            artifacts,
            secret=resolve_secret(settings),
            environment=settings.process_environment(),
        ),
        traffic=TrafficService(uow, prediction_log, on_change=deployments.forget),
    )
