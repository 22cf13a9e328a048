"""``client.endpoints``: deploy model versions behind named endpoints and predict."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from modelyard.domain import Deployment, ModelVersion, Page, PredictionResult
from modelyard.domain.traffic import DEFAULT_CANARY_STEPS, DeploymentRevision, TrafficStats
from modelyard.sdk.transport import Resource


class Endpoints(Resource):
    def create(self, name: str, model_version_id: int, stage: str = "development") -> Deployment:
        """Deploy a model version behind the endpoint ``name``.

        ``stage`` is the endpoint's: development serves any version, staging only versions
        promoted to staging or production, production only production versions.
        """
        body = {"name": name, "model_version_id": model_version_id, "stage": stage}
        return self._send(Deployment, "POST", "/endpoints", json=body)

    def get(self, name: str) -> Deployment:
        return self._send(Deployment, "GET", endpoint_path(name))

    def list(self, *, offset: int = 0, limit: int = 50) -> Page[Deployment]:
        params = {"offset": offset, "limit": limit}
        return self._send(Page[Deployment], "GET", "/endpoints", params=params)

    def update(self, name: str, model_version_id: int) -> Deployment:
        """Serve another model version behind the endpoint."""
        body = {"model_version_id": model_version_id}
        return self._send(Deployment, "PUT", endpoint_path(name), json=body)

    def model(self, name: str) -> ModelVersion:
        """The model version the endpoint serves, with its input schema (``feature_columns``)."""
        return self._send(ModelVersion, "GET", f"{endpoint_path(name)}/model")

    def predict(
        self,
        name: str,
        records: Any,
        *,
        routing_key: str | None = None,
        explain: bool = False,
        top_k: int | None = None,
    ) -> PredictionResult:
        """Predict for ``records``: a list of dicts (one per row) or a pandas DataFrame.

        Requests with the same ``routing_key`` reach the same version of a split endpoint.
        ``explain=True`` adds each record's top ``top_k`` feature contributions (SHAP) in
        ``result.contributions``.
        """
        rows = records.to_dict(orient="records") if hasattr(records, "to_dict") else records
        body: dict[str, Any] = {
            "records": [_jsonable_row(row) for row in rows] if isinstance(rows, list) else rows
        }
        if routing_key is not None:
            body["routing_key"] = routing_key
        if explain:
            body["explain"] = True
        if top_k is not None:
            body["top_k"] = top_k
        return self._send(PredictionResult, "POST", f"{endpoint_path(name)}/predict", json=body)

    def traffic(self, name: str) -> DeploymentRevision:
        """The endpoint's current revision: arms, weights, canary."""
        return self._send(DeploymentRevision, "GET", f"{endpoint_path(name)}/traffic")

    def set_traffic(
        self,
        name: str,
        weights: Mapping[int, int],
        *,
        shadow: int | None = None,
        note: str = "",
    ) -> DeploymentRevision:
        """Serve model versions by weight (``{version_id: weight}``, summing to 100).

        ``shadow``: a version that sees copies of every request; its answers are only logged.
        """
        arms: builtins.list[dict[str, Any]] = [
            {"model_version_id": v, "weight": w} for v, w in weights.items()
        ]
        if shadow is not None:
            arms.append({"model_version_id": shadow, "role": "shadow"})
        body = {"arms": arms, "note": note}
        return self._send(DeploymentRevision, "PUT", f"{endpoint_path(name)}/traffic", json=body)

    def start_canary(
        self,
        name: str,
        model_version_id: int,
        *,
        steps: Sequence[int] = DEFAULT_CANARY_STEPS,
        note: str = "",
    ) -> DeploymentRevision:
        """Bring a new version in at ``steps[0]`` % of the traffic; advance step by step."""
        body = {"model_version_id": model_version_id, "steps": list(steps), "note": note}
        return self._send(DeploymentRevision, "POST", f"{endpoint_path(name)}/canary", json=body)

    def advance_canary(self, name: str, *, note: str = "") -> DeploymentRevision:
        path = f"{endpoint_path(name)}/canary/advance"
        return self._send(DeploymentRevision, "POST", path, json={"note": note})

    def abort_canary(self, name: str, *, note: str = "") -> DeploymentRevision:
        path = f"{endpoint_path(name)}/canary/abort"
        return self._send(DeploymentRevision, "POST", path, json={"note": note})

    def rollback(self, name: str, *, note: str = "") -> DeploymentRevision:
        """Serve the previous configuration again (recorded as a new revision)."""
        path = f"{endpoint_path(name)}/rollback"
        return self._send(DeploymentRevision, "POST", path, json={"note": note})

    def history(self, name: str) -> builtins.list[DeploymentRevision]:
        """Every revision, newest first: arms, who, when, why and who approved each version."""
        rows = self._transport.request("GET", f"{endpoint_path(name)}/history")
        return [DeploymentRevision.model_validate(row) for row in rows]

    def served_at(self, name: str, at: datetime) -> DeploymentRevision:
        """The revision (and so the versions) live at time ``at``."""
        path = f"{endpoint_path(name)}/served-at"
        return self._send(DeploymentRevision, "GET", path, params={"at": at.isoformat()})

    def traffic_stats(self, name: str, *, window_s: float = 300) -> TrafficStats:
        """Request rate, p50/p95 latency and errors per version over the last ``window_s``."""
        path = f"{endpoint_path(name)}/traffic-stats"
        return self._send(TrafficStats, "GET", path, params={"window_s": window_s})


def endpoint_path(name: str) -> str:
    """The API path of the endpoint ``name``, quoted."""
    return f"/endpoints/{quote(name, safe='')}"


def _jsonable_row(row: Any) -> Any:
    if not isinstance(row, Mapping):
        return row  # the server says what is wrong with it
    return {str(key): _jsonable(value) for key, value in row.items()}


def _jsonable(value: Any) -> Any:
    """Missing values (NaN, NaT, NA) become null; numpy scalars and timestamps plain JSON."""
    if _is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar -> Python
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # only NaN-like values differ from themselves
    except TypeError:
        return True  # pandas.NA: comparing it is itself missing
    except ValueError:
        return False  # an array-like cell: let the server judge it
