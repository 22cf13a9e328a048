"""The Tracker port on MLflow: runs, models and the model registry.

MLflow keeps its own database (its table names collide with ours). It is imported lazily:
its import costs about a second, which `modelyard serve` must not pay at start-up.
"""

from __future__ import annotations

import logging
import os
import threading
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from modelyard.errors import DependencyUnavailableError, NotFoundError
from modelyard.ports import TrackedChild

log = logging.getLogger(__name__)

_PIP_PACKAGES = ("modelyard", "scikit-learn", "lightgbm", "pandas", "numpy", "pyarrow")
_OPTIONAL_PACKAGES = ("xgboost", "xgboost-cpu", "catboost", "torch")
_lock = threading.Lock()


def pip_requirements() -> list[str]:
    """Pinned requirements written next to each model (MLflow's own inference is slow).

    Modelyard itself is listed: pipelines use its transformers (text casting, ensembles).
    """
    pins = []
    for name in _PIP_PACKAGES + _OPTIONAL_PACKAGES:
        try:
            pins.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            if name in _PIP_PACKAGES:
                pins.append(name)
    return pins


class MlflowTracker:
    def __init__(self, tracking_uri: str, artifact_uri: str) -> None:
        self._tracking_uri = tracking_uri
        self._artifact_uri = artifact_uri.rstrip("/")
        self._model_cache: dict[str, Any] = {}

    def _mlflow(self) -> Any:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        import mlflow
        import mlflow.sklearn  # noqa: F401  (the flavour the models are saved with)

        mlflow.set_tracking_uri(self._tracking_uri)
        mlflow.set_registry_uri(self._tracking_uri)
        return mlflow

    def _experiment_id(self, mlflow: Any, name: str) -> str:
        with _lock:
            experiment = mlflow.get_experiment_by_name(name)
            if experiment is not None:
                return str(experiment.experiment_id)
            return str(
                mlflow.create_experiment(name, artifact_location=f"{self._artifact_uri}/{name}")
            )

    def log_run(
        self,
        *,
        experiment: str,
        run_name: str,
        params: dict[str, Any],
        metrics: dict[str, float],
        model: Any,
        input_example: Any,
        tags: dict[str, str],
        children: list[TrackedChild] | None = None,
        documents: dict[str, Any] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> tuple[str, str]:
        """Log params, metrics, JSON documents, ``files`` (name -> bytes: plots, CSVs) and
        the model, and one nested child run per entry of ``children`` (the search's trials);
        return (MLflow run id, model URI)."""
        try:
            mlflow = self._mlflow()

            experiment_id = self._experiment_id(mlflow, experiment)
            with mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=tags) as run:
                mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
                mlflow.log_metrics(metrics)
                for name, document in (documents or {}).items():
                    mlflow.log_dict(document, name)
                _log_files(mlflow, files or {})
                for child in children or []:
                    with mlflow.start_run(run_name=child.name, nested=True, tags=tags):
                        mlflow.log_params({k: str(v)[:500] for k, v in child.params.items()})
                        mlflow.log_metrics(child.metrics)
                info = mlflow.sklearn.log_model(
                    model,
                    name="model",
                    pip_requirements=pip_requirements(),
                    serialization_format="cloudpickle",
                    input_example=input_example,
                )
            return run.info.run_id, f"runs:/{run.info.run_id}/model" if not info else info.model_uri
        except Exception as exc:  # MLflow raises many types; all mean "tracking failed"
            raise DependencyUnavailableError(
                f"MLflow could not record the run: {exc}", code="mlflow.unavailable"
            ) from exc

    def register(self, model_uri: str, name: str, *, run_id: str) -> int:
        """Register ``model_uri`` under ``name``; return the new version number."""
        mlflow = self._mlflow()
        try:
            result = mlflow.register_model(model_uri, name, tags={"modelyard.run": run_id})
        except Exception as exc:
            raise DependencyUnavailableError(
                f"The MLflow registry refused the model: {exc}", code="mlflow.unavailable"
            ) from exc
        return int(result.version)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        """Point the registry alias (``staging``, ``production``) at ``version``."""
        mlflow = self._mlflow()
        try:
            mlflow.MlflowClient().set_registered_model_alias(name, alias, str(version))
        except Exception as exc:
            raise DependencyUnavailableError(
                f"The MLflow registry could not set alias {alias!r}: {exc}",
                code="mlflow.unavailable",
            ) from exc

    def load_model(self, uri: str) -> Any:
        """The fitted scikit-learn pipeline behind ``uri`` (cached: models are immutable)."""
        if uri in self._model_cache:
            return self._model_cache[uri]
        mlflow = self._mlflow()

        try:
            model = mlflow.sklearn.load_model(uri)
        except Exception as exc:
            raise NotFoundError(
                f"The model {uri} cannot be loaded from MLflow: {exc}", code="model.unloadable"
            ) from exc
        self._model_cache[uri] = model
        return model


def _log_files(mlflow: Any, files: dict[str, bytes]) -> None:
    """Each ``name -> bytes`` as a run artifact under that name."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="modelyard-files-") as tmp:
        for name, data in files.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            folder = str(Path(name).parent)
            mlflow.log_artifact(str(path), artifact_path=None if folder == "." else folder)
