"""Request and response bodies of the REST API."""

from modelyard.api.schemas.auth import TokenCreate, TokenRead
from modelyard.api.schemas.common import (
    ApiTokenRead,
    AuditEventRead,
    DatasetRead,
    DatasetVersionRead,
    DeploymentRead,
    JobLogLineRead,
    JobRead,
    ModelVersionRead,
    ProjectRead,
    RunRead,
    UserRead,
)
from modelyard.api.schemas.requests import (
    DeploymentCreate,
    DeploymentUpdate,
    ModelVersionCreate,
    PredictRequest,
    PredictResponse,
    ProjectCreate,
    ProjectUpdate,
    TrainingCreate,
    UserCreate,
)

__all__ = [
    "ApiTokenRead",
    "AuditEventRead",
    "DatasetRead",
    "DatasetVersionRead",
    "DeploymentCreate",
    "DeploymentRead",
    "DeploymentUpdate",
    "JobLogLineRead",
    "JobRead",
    "ModelVersionCreate",
    "ModelVersionRead",
    "PredictRequest",
    "PredictResponse",
    "ProjectCreate",
    "ProjectRead",
    "ProjectUpdate",
    "RunRead",
    "TokenCreate",
    "TokenRead",
    "TrainingCreate",
    "UserCreate",
    "UserRead",
]
