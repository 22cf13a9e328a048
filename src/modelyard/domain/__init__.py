"""Pure domain: entities, value objects and state machines. No I/O here."""

from modelyard.domain.actors import Actor, Permission, Role
from modelyard.domain.entities import (
    ApiToken,
    AuditEvent,
    Dataset,
    DatasetVersion,
    Deployment,
    IssuedToken,
    Job,
    JobLogLine,
    ModelVersion,
    Page,
    PredictionResult,
    Project,
    Run,
    User,
)
from modelyard.domain.jobs import JobKind, JobStatus
from modelyard.domain.projects import Objective, ProjectStatus

__all__ = [
    "Actor",
    "ApiToken",
    "AuditEvent",
    "Dataset",
    "DatasetVersion",
    "Deployment",
    "IssuedToken",
    "Job",
    "JobKind",
    "JobLogLine",
    "JobStatus",
    "ModelVersion",
    "Objective",
    "Page",
    "Permission",
    "PredictionResult",
    "Project",
    "ProjectStatus",
    "Role",
    "Run",
    "User",
]
