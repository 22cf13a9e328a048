"""Read models: the domain snapshots, named as the API shows them."""

from __future__ import annotations

from modelyard.domain import (
    ApiToken,
    AuditEvent,
    Dataset,
    DatasetVersion,
    Deployment,
    Job,
    JobLogLine,
    ModelVersion,
    Project,
    Run,
    User,
)


class UserRead(User):
    pass


class ApiTokenRead(ApiToken):
    pass


class AuditEventRead(AuditEvent):
    pass


class ProjectRead(Project):
    pass


class DatasetVersionRead(DatasetVersion):
    pass


class DatasetRead(Dataset):
    pass


class JobRead(Job):
    pass


class JobLogLineRead(JobLogLine):
    pass


class RunRead(Run):
    pass


class ModelVersionRead(ModelVersion):
    pass


class DeploymentRead(Deployment):
    pass
