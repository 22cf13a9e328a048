"""The one place Modelyard reads configuration.

Every value comes from ``MODELYARD_*`` environment variables (nested sections use ``__``,
e.g. ``MODELYARD_SERVER__PORT``), an optional ``.env`` file given explicitly, or defaults
that need no set-up: a data home in ``~/.modelyard`` with SQLite, a local artifact folder,
MLflow on its own SQLite file and a Dask ``LocalCluster``. Short top-level aliases such as
``MODELYARD_DATABASE_URL`` and ``MODELYARD_PORT`` are accepted for the common settings.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "production", "test"]


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the metadata database. Default: SQLite file "
        "`modelyard.db` in the data home. PostgreSQL: postgresql+psycopg://user@host/db.",
    )
    echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")


class ArtifactSettings(BaseModel):
    uri: str | None = Field(
        default=None,
        description="fsspec URI of the artifact store (datasets, reports). Default: the "
        "`artifacts` folder in the data home. Any fsspec URI works, e.g. s3://bucket/prefix.",
    )
    max_upload_bytes: int = Field(
        default=1_073_741_824, description="Largest accepted upload, in bytes (default 1 GiB)."
    )


class MlflowSettings(BaseModel):
    tracking_uri: str | None = Field(
        default=None,
        description="MLflow tracking and registry URI. Default: SQLite file `mlflow.db` in the "
        "data home (MLflow keeps its own database: its table names collide with ours).",
    )
    artifact_uri: str | None = Field(
        default=None,
        description="Where MLflow stores run artifacts and models. Default: `mlruns` in the "
        "data home.",
    )


class DaskSettings(BaseModel):
    address: str | None = Field(
        default=None,
        description="Address of a running Dask scheduler (tcp://host:8786). Unset: "
        "`modelyard serve` starts a LocalCluster.",
    )
    n_workers: int = Field(default=1, ge=1, description="Workers of the LocalCluster.")
    threads_per_worker: int = Field(default=2, ge=1, description="Threads per LocalCluster worker.")
    memory_limit: str = Field(
        default="auto", description="Memory limit per LocalCluster worker ('auto', '4GB')."
    )


class TrainingSettings(BaseModel):
    default_time_budget_s: float = Field(
        default=60.0, gt=0, description="AutoML time budget when a request names none, seconds."
    )
    default_max_trials: int | None = Field(
        default=None, ge=1, description="Cap on trials per search when a request names none."
    )
    max_time_budget_s: float = Field(
        default=6 * 3600.0, gt=0, description="Largest time budget a request may ask for, seconds."
    )
    memory_limit_gb: float | None = Field(
        default=None,
        gt=0,
        description="Memory a search may use, GB; a search estimated above it drops hungry "
        "families, then downsamples rows, or is refused. Unset: 75% of the machine's RAM.",
    )
    parallel_trials: int = Field(
        default=1,
        ge=1,
        description="Trials run at once as Dask tasks; with more than one Dask worker, "
        "each worker runs trials (one per worker unless this is higher).",
    )


class ServerSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="Interface `modelyard serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `modelyard serve` binds.")
    log_level: str = Field(default="INFO", description="Log level: DEBUG, INFO, WARNING...")
    log_json: bool = Field(default=False, description="Write logs as JSON lines.")


class AuthSettings(BaseModel):
    admin_user: str | None = Field(
        default=None,
        validation_alias=AliasChoices("admin_user"),
        description="Username of the first admin, created at first start.",
    )
    admin_password: SecretStr | None = Field(
        default=None,
        description="Password of the first admin. Unset: a random one is printed once.",
    )
    token_ttl_s: int = Field(
        default=30 * 24 * 3600, ge=60, description="Lifetime of API tokens, in seconds."
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Secret signing browser sessions. Unset: generated once and kept in the "
        "data home. Required in production.",
    )


class SchedulerSettings(BaseModel):
    enabled: bool = Field(
        default=True,
        description="Run the scheduler loop in the web process: it starts scheduled batch "
        "scoring jobs when their cron expression fires. Several processes may run it.",
    )
    interval_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds between two looks for due schedules (the most a run is late).",
    )


class Settings(BaseSettings):
    """All of Modelyard's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="MODELYARD_",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(
        default=Path("~/.modelyard"),
        description="Data home: SQLite files, artifacts, MLflow runs. Env: MODELYARD_HOME.",
    )
    environment: Environment = Field(
        default="development", description="development, production or test."
    )
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    artifacts: ArtifactSettings = Field(default_factory=ArtifactSettings)
    mlflow: MlflowSettings = Field(default_factory=MlflowSettings)
    dask: DaskSettings = Field(default_factory=DaskSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)

    # Short aliases for the settings people set most (MODELYARD_DATABASE_URL, ...).
    database_url: str | None = Field(default=None, description="Alias of db.url.")
    artifact_uri: str | None = Field(default=None, description="Alias of artifacts.uri.")
    mlflow_tracking_uri: str | None = Field(
        default=None, description="Alias of mlflow.tracking_uri."
    )
    dask_address: str | None = Field(default=None, description="Alias of dask.address.")
    host: str | None = Field(default=None, description="Alias of server.host.")
    port: int | None = Field(default=None, description="Alias of server.port.")
    log_level: str | None = Field(default=None, description="Alias of server.log_level.")
    admin_user: str | None = Field(default=None, description="Alias of auth.admin_user.")
    admin_password: SecretStr | None = Field(
        default=None, description="Alias of auth.admin_password."
    )

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        self.home = self.home.expanduser().resolve()
        aliases = [
            (self.database_url, self.db, "url"),
            (self.artifact_uri, self.artifacts, "uri"),
            (self.mlflow_tracking_uri, self.mlflow, "tracking_uri"),
            (self.dask_address, self.dask, "address"),
            (self.host, self.server, "host"),
            (self.port, self.server, "port"),
            (self.log_level, self.server, "log_level"),
            (self.admin_user, self.auth, "admin_user"),
            (self.admin_password, self.auth, "admin_password"),
        ]
        for value, section, name in aliases:
            if value is not None:
                setattr(section, name, value)
        if self.db.url is None:
            self.db.url = f"sqlite:///{self.home / 'modelyard.db'}"
        if self.artifacts.uri is None:
            self.artifacts.uri = str(self.home / "artifacts")
        if self.mlflow.tracking_uri is None:
            self.mlflow.tracking_uri = f"sqlite:///{self.home / 'mlflow.db'}"
        if self.mlflow.artifact_uri is None:
            self.mlflow.artifact_uri = (self.home / "mlruns").as_uri()
        if (
            logging.getLevelName(self.server.log_level.upper())
            == f"Level {self.server.log_level.upper()}"
        ):
            raise ValueError(
                f"Unknown log level {self.server.log_level!r}: use DEBUG, INFO, WARNING or ERROR."
            )
        if self.environment == "production" and self.auth.session_secret is None:
            raise ValueError("MODELYARD_AUTH__SESSION_SECRET must be set in production.")
        return self

    @property
    def database_url_resolved(self) -> str:
        assert self.db.url is not None
        return self.db.url

    def process_environment(self) -> dict[str, str]:
        """The server's environment, for values a user names by variable (connection URLs)."""
        return dict(os.environ)

    def worker_payload(self) -> dict[str, object]:
        """The settings as plain data, to rebuild them in a Dask worker process."""
        return self.model_dump(mode="json", exclude={"auth"})


class ClientSettings(BaseSettings):
    """What the CLI and the SDK need to reach a server (read by `modelyard login` and friends).

    ``MODELYARD_URL`` and ``MODELYARD_TOKEN`` override what `modelyard login` stored in the
    credentials file.
    """

    model_config = SettingsConfigDict(env_prefix="MODELYARD_", extra="ignore")

    url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the Modelyard server. Env: MODELYARD_URL.",
    )
    token: SecretStr | None = Field(
        default=None,
        description="API token; overrides the one stored by `modelyard login`. "
        "Env: MODELYARD_TOKEN.",
    )
    home: Path = Field(
        default=Path("~/.modelyard"),
        description="Data home; the credentials file lives here by default. Env: MODELYARD_HOME.",
    )
    credentials_file: Path = Field(
        default_factory=lambda data: Path(data["home"]) / "credentials.json",
        description="Where `modelyard login` keeps the server URL and token (mode 0600). "
        "Default: `credentials.json` in the data home. Env: MODELYARD_CREDENTIALS_FILE.",
    )

    @model_validator(mode="after")
    def _resolve(self) -> ClientSettings:
        self.home = self.home.expanduser().resolve()
        self.credentials_file = self.credentials_file.expanduser()
        return self

    @property
    def is_url_set(self) -> bool:
        """Whether the URL was given (environment or argument) rather than defaulted."""
        return "url" in self.model_fields_set
