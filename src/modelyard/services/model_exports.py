"""Model files to take away: the MLflow model as a zip, and an ONNX graph where one exists.

The zip holds the MLflow model directory as MLflow wrote it (``MLmodel``, the pickled
pipeline, ``requirements.txt``, ``conda.yaml``, ``python_env.yaml``) plus the model card
as ``model_card.md`` and ``model_card.json``: unzipped, it runs under
``mlflow models serve -m DIR`` or ``mlflow.pyfunc.load_model(DIR)``.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelyard.db.tables import SqlDatasetVersion, SqlRun
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, ModelVersion, Permission
from modelyard.ports import ArtifactStore, Tracker
from modelyard.services.audit import record_event
from modelyard.services.models import model_version_row, to_model_version

if TYPE_CHECKING:
    import pandas as pd

ZIP_MEDIA_TYPE = "application/zip"
ONNX_MEDIA_TYPE = "application/octet-stream"
SAMPLE_ROWS = 200


@dataclass(frozen=True)
class ModelFile:
    """A file made for download: its name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes

    @property
    def size_bytes(self) -> int:
        return len(self.content)


def card_markdown(model: ModelVersion) -> str:
    """The model card as Markdown, for people reading the zip."""
    lines = [f"# {model.name} version {model.version}", ""]
    lines += [
        f"- Task: {model.task}",
        f"- Stage: {model.stage}",
        f"- Registered by {model.created_by} on {model.created_at:%Y-%m-%d %H:%M} UTC",
        f"- MLflow: `{model.mlflow_uri}`",
        "",
        "## Metrics (hold-out)",
        "",
    ]
    lines += [f"- {name}: {value:.4g}" for name, value in model.metrics.items()] or ["- none"]
    lines += ["", "## Input columns", ""]
    lines += [f"- `{c.name}` ({c.kind})" for c in model.feature_columns]
    if model.classes:
        lines += ["", "## Classes", "", ", ".join(map(str, model.classes))]
    for name, text in model.card.items():
        lines += ["", f"## {name.replace('_', ' ').capitalize()}", "", str(text) or "-"]
    return "\n".join(lines) + "\n"


def _card_json(model: ModelVersion) -> dict[str, Any]:
    return {
        "name": model.name,
        "version": model.version,
        "task": model.task,
        "stage": model.stage,
        "metrics": model.metrics,
        "feature_columns": [c.model_dump() for c in model.feature_columns],
        "classes": model.classes,
        "mlflow_uri": model.mlflow_uri,
        "card": model.card,
        "created_by": model.created_by,
        "created_at": model.created_at.isoformat(),
    }


class ModelExportService:
    def __init__(self, uow: UnitOfWork, tracker: Tracker, artifacts: ArtifactStore) -> None:
        self._uow = uow
        self._tracker = tracker
        self._artifacts = artifacts

    def _model(self, actor: Actor, model_version_id: int) -> ModelVersion:
        with self._uow.begin() as session:
            return to_model_version(session, model_version_row(session, actor, model_version_id))

    def _record(self, actor: Actor, model: ModelVersion, action: str, size_bytes: int) -> None:
        with self._uow.begin() as session:
            record_event(
                session, actor, action, ("model_version", model.id), {"size_bytes": size_bytes}
            )

    def download(self, actor: Actor, model_version_id: int) -> ModelFile:
        """The MLflow model directory and the model card, zipped."""
        actor.require(Permission.READ, "download models")
        model = self._model(actor, model_version_id)
        folder = f"{model.name}-v{model.version}"
        buffer = io.BytesIO()
        with tempfile.TemporaryDirectory(prefix="modelyard-export-") as tmp:
            model_dir = self._tracker.download_model(model.mlflow_uri, Path(tmp))
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(model_dir.rglob("*")):
                    if path.is_file():
                        archive.write(path, f"{folder}/{path.relative_to(model_dir)}")
                archive.writestr(f"{folder}/model_card.md", card_markdown(model))
                archive.writestr(
                    f"{folder}/model_card.json", json.dumps(_card_json(model), indent=2)
                )
        file = ModelFile(f"{folder}.zip", ZIP_MEDIA_TYPE, buffer.getvalue())
        self._record(actor, model, "model.download", file.size_bytes)
        return file

    def onnx(self, actor: Actor, model_version_id: int) -> ModelFile:
        """The pipeline as ONNX, checked against the original on a sample of training rows.

        Raises InvalidInputError ``model.onnx_unsupported`` naming the step that has no
        ONNX converter, or when the converted graph does not predict the same.
        """
        from modelyard.ml.onnx_export import export_onnx

        actor.require(Permission.READ, "export models")
        model = self._model(actor, model_version_id)
        sample = self._sample(model)
        pipeline = self._tracker.load_model(model.mlflow_uri)
        columns = [(c.name, c.kind) for c in model.feature_columns]
        content = export_onnx(pipeline, sample, columns, task=model.task)
        file = ModelFile(f"{model.name}-v{model.version}.onnx", ONNX_MEDIA_TYPE, content)
        self._record(actor, model, "model.export_onnx", file.size_bytes)
        return file

    def _sample(self, model: ModelVersion) -> pd.DataFrame:
        """Up to SAMPLE_ROWS rows of the training data, to check the converted model on."""
        from modelyard.ml.scoring import feature_frame

        with self._uow.begin() as session:
            run = session.get_one(SqlRun, model.run_id)
            key = session.get_one(SqlDatasetVersion, run.dataset_version_id).artifact_path
        frame = self._artifacts.arrow_dataset(key).head(SAMPLE_ROWS).to_pandas()
        return feature_frame(frame, [(c.name, c.kind) for c in model.feature_columns])


__all__ = ["ModelExportService", "ModelFile", "card_markdown"]
