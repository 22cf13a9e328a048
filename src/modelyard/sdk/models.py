"""``client.models``: the model registry and model cards.

Promotions to staging or production go through ``client.approvals``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelyard.domain import ModelVersion, Page
from modelyard.domain.comparison import VersionComparison
from modelyard.sdk.transport import Resource


class Models(Resource):
    def register(self, run_id: int, name: str | None = None) -> ModelVersion:
        """Register a run's model; ``name`` defaults to ``<dataset>-<target>``."""
        body = {"run_id": run_id, "name": name}
        return self._send(ModelVersion, "POST", "/models", json=body)

    def get(self, model_version_id: int) -> ModelVersion:
        return self._send(ModelVersion, "GET", f"/models/{model_version_id}")

    def list(
        self, *, project_id: int | None = None, offset: int = 0, limit: int = 50
    ) -> Page[ModelVersion]:
        params = {"project_id": project_id, "offset": offset, "limit": limit}
        return self._send(Page[ModelVersion], "GET", "/models", params=params)

    def update_card(self, model_version_id: int, **fields: str) -> dict[str, Any]:
        """Fill model card fields; return the whole card.

        Fields: intended_use, limitations, ethical_considerations, training_data, evaluation.
        """
        path = f"/models/{model_version_id}/card"
        card: dict[str, Any] = self._transport.request("PUT", path, json={"fields": fields})
        return card

    def compare(self, *model_version_ids: int) -> VersionComparison:
        """Versions side by side: metrics, parameters, data, stage and card."""
        params = {"ids": ",".join(map(str, model_version_ids))}
        return self._send(VersionComparison, "GET", "/models/compare", params=params)

    def download(self, model_version_id: int, path: str | Path) -> Path:
        """Save the MLflow model + model card as a zip at ``path`` (unzip, then
        ``mlflow models serve -m DIR``)."""
        target = Path(path)
        self._transport.download(f"/models/{model_version_id}/download", target)
        return target

    def onnx(self, model_version_id: int, path: str | Path) -> Path:
        """Save the model as ONNX at ``path``; InvalidInputError when it cannot convert."""
        target = Path(path)
        self._transport.download(f"/models/{model_version_id}/onnx", target)
        return target
