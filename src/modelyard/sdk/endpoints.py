"""``client.endpoints``: deploy model versions behind named endpoints and predict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from modelyard.domain import Deployment, ModelVersion, Page, PredictionResult
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
        self, name: str, records: Any, *, explain: bool = False, top_k: int | None = None
    ) -> PredictionResult:
        """Predict for ``records``: a list of dicts (one per row) or a pandas DataFrame.

        ``explain=True`` adds each record's top ``top_k`` feature contributions (SHAP) in
        ``result.contributions``.
        """
        rows = records.to_dict(orient="records") if hasattr(records, "to_dict") else records
        body: dict[str, Any] = {
            "records": [_jsonable_row(row) for row in rows] if isinstance(rows, list) else rows
        }
        if explain:
            body["explain"] = True
        if top_k is not None:
            body["top_k"] = top_k
        return self._send(PredictionResult, "POST", f"{endpoint_path(name)}/predict", json=body)


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
