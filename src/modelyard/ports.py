"""The seams between services and infrastructure, as Protocols."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol


class ArtifactStore(Protocol):
    """Immutable, content-addressed files (datasets, reports) under string keys."""

    def put_file(self, local_path: Path, key: str) -> None: ...
    def open(self, key: str) -> IO[bytes]: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def uri(self, key: str) -> str: ...
    def local_path(self, key: str) -> Path | None:
        """The artifact's path on this machine's disk, when the store is a local folder."""
        ...

    def put_bytes(self, data: bytes, key: str) -> None: ...
    def arrow_dataset(self, key: str) -> Any:
        """A lazy pyarrow.dataset over a Parquet artifact (for DuckDB and scans)."""
        ...


class ProgressReporter(Protocol):
    """How long work says how far it is; raises JobCancelledError when cancelled."""

    def report(self, fraction: float, message: str) -> None: ...
    def log(self, message: str, level: str = "INFO") -> None: ...


class TrainedModel(Protocol):
    """What the tracker needs from a fitted model."""

    def predict(self, X: Any) -> Any: ...


@dataclass(frozen=True)
class TrackedChild:
    """A nested tracked run: one trial of a search."""

    name: str
    params: dict[str, Any]
    metrics: dict[str, float]


class Tracker(Protocol):
    """Experiment tracking and the model registry (MLflow)."""

    def log_run(
        self,
        *,
        experiment: str,
        run_name: str,
        params: dict[str, Any],
        metrics: dict[str, float],
        model: TrainedModel,
        input_example: Any,
        tags: dict[str, str],
        children: list[TrackedChild] | None = None,
        documents: dict[str, Any] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> tuple[str, str]: ...

    def register(self, model_uri: str, name: str, *, run_id: str) -> int: ...

    def load_model(self, uri: str) -> Any: ...

    def set_alias(self, name: str, alias: str, version: int) -> None: ...


class Compute(Protocol):
    """Where jobs run (Dask)."""

    def submit(self, fn: Callable[..., Any], *args: Any, key: str) -> None: ...
    def on_failure(self, key: str, callback: Callable[[str, str], None]) -> None: ...
    def is_alive(self, key: str) -> bool: ...
    def cancel(self, key: str) -> None: ...
    def is_ready(self) -> bool: ...
    def close(self) -> None: ...
