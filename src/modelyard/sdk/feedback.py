"""``client.feedback``: the true outcomes of logged predictions, and live endpoint metrics.

Every prediction an endpoint makes has an id (``PredictionResult.prediction_ids``); send
the true label or value for it later, and the endpoint's metrics follow.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any

from modelyard.domain.entities import FeedbackRecord, VersionMetrics
from modelyard.sdk.endpoints import endpoint_path
from modelyard.sdk.transport import Resource


class Feedback(Resource):
    def record(self, prediction_id: str, actual: Any) -> FeedbackRecord:
        """The true outcome of one prediction: the label (classification), a number
        (regression) or 1/0 (anomaly); clustering models take none (InvalidInputError)."""
        path = f"/predictions/{prediction_id}/feedback"
        return self._send(FeedbackRecord, "POST", path, json={"actual": actual})

    def record_many(self, items: Iterable[Mapping[str, Any]]) -> builtins.list[FeedbackRecord]:
        """Feedback in bulk: dicts with ``prediction_id`` and ``actual``; all stored, or none."""
        body = {
            "items": [{"prediction_id": i["prediction_id"], "actual": i["actual"]} for i in items]
        }
        records = self._transport.request("POST", "/feedback", json=body)
        return [FeedbackRecord.model_validate(record) for record in records]

    def metrics(self, endpoint: str) -> builtins.list[VersionMetrics]:
        """Per model version behind ``endpoint``: predictions, feedback and live metrics."""
        rows = self._transport.request("GET", f"{endpoint_path(endpoint)}/metrics")
        return [VersionMetrics.model_validate(row) for row in rows]
