"""Modelyard's one exception tree.

    ModelyardError                    500  base class; never raised directly
     ├── InvalidInputError            422  the input is wrong: say what and how to fix it
     ├── AuthenticationError          401  who you are is unknown (bad password, bad token)
     ├── PermissionDeniedError        403  you are known but may not do this
     ├── NotFoundError                404  the thing does not exist (in your workspace)
     ├── ConflictError                409  duplicates, illegal state transitions
     │    └── JobCancelledError            a job noticed it was cancelled
     └── DependencyUnavailableError   503  database, MLflow or Dask cannot be reached

Each error carries a stable ``code`` (``dataset.target_unknown``), a ``message`` that a
user can read (no secrets, SQL or traces) and JSON-safe ``details``. The API, UI, CLI and
SDK map these classes to their own way of saying no; the SDK rebuilds the same class from
the code so scripts catch the same types locally and remotely.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ModelyardError(Exception):
    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidInputError(ModelyardError):
    status_code = 422
    default_code = "invalid_input"


class AuthenticationError(ModelyardError):
    status_code = 401
    default_code = "auth.unauthenticated"


class PermissionDeniedError(ModelyardError):
    status_code = 403
    default_code = "auth.forbidden"


class NotFoundError(ModelyardError):
    status_code = 404
    default_code = "not_found"


class ConflictError(ModelyardError):
    status_code = 409
    default_code = "conflict"


class JobCancelledError(ConflictError):
    default_code = "job.cancelled"


class DependencyUnavailableError(ModelyardError):
    status_code = 503
    default_code = "dependency_unavailable"


ERROR_CLASSES: tuple[type[ModelyardError], ...] = (
    InvalidInputError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    DependencyUnavailableError,
)


def error_class_for(status_code: int, code: str) -> type[ModelyardError]:
    """The exception class a remote error maps back to (used by the SDK)."""
    if code == JobCancelledError.default_code:
        return JobCancelledError
    for cls in ERROR_CLASSES:
        if cls.status_code == status_code:
            return cls
    return ModelyardError
