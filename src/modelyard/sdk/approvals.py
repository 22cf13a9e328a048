"""``client.approvals``: maker-checker promotions of model versions, and their policies.

A maker asks for a promotion (``request``); an approver who is not the maker decides
(``approve`` or ``reject``); enough approvals move the version to the stage. A policy per
stage says how many approvals are needed and which checks must pass first.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from modelyard.domain import Page
from modelyard.domain.approvals import Policy, RequestStatus, Stage
from modelyard.domain.entities import PromotionRequest
from modelyard.sdk.transport import Resource


class Approvals(Resource):
    def request(
        self, model_version_id: int, stage: Stage | str, note: str = ""
    ) -> PromotionRequest:
        """Ask for a model version to go to ``stage`` (staging or production): the maker."""
        body = {"stage": str(stage), "note": note}
        path = f"/models/{model_version_id}/promotions"
        return self._send(PromotionRequest, "POST", path, json=body)

    def approve(self, request_id: int, comment: str = "") -> PromotionRequest:
        """Approve a pending request (an approver, never its maker); enough approvals promote."""
        return self._decide(request_id, "approve", comment)

    def reject(self, request_id: int, comment: str = "") -> PromotionRequest:
        """Reject a pending request (an approver, never its maker)."""
        return self._decide(request_id, "reject", comment)

    def withdraw(self, request_id: int) -> PromotionRequest:
        """Take back my own pending request."""
        return self._send(PromotionRequest, "POST", f"/approvals/{request_id}/withdraw")

    def list(
        self,
        status: RequestStatus | str | None = None,
        *,
        model_version_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[PromotionRequest]:
        """Promotion requests, newest first; ``status="pending"`` is the approvals inbox."""
        params = {
            "status": status and str(status),
            "model_version_id": model_version_id,
            "offset": offset,
            "limit": limit,
        }
        return self._send(Page[PromotionRequest], "GET", "/approvals", params=params)

    def get(self, request_id: int) -> PromotionRequest:
        return self._send(PromotionRequest, "GET", f"/approvals/{request_id}")

    def policy(self, stage: Stage | str) -> Policy:
        """What a promotion to ``stage`` needs."""
        return self._send(Policy, "GET", f"/approval-policies/{stage}")

    def set_policy(
        self,
        stage: Stage | str,
        *,
        min_approvals: int = 1,
        metric_thresholds: Mapping[str, float] | None = None,
        required_card_fields: Sequence[str] | None = None,
        validation_dataset_version_id: int | None = None,
    ) -> Policy:
        """Replace what a promotion to ``stage`` needs (admins).

        ``metric_thresholds`` maps a metric to its bound on the hold-out: a minimum, or a
        maximum for error metrics (rmse, mae, mse, mape, log_loss).
        """
        body = {
            "stage": str(stage),
            "min_approvals": min_approvals,
            "metric_thresholds": dict(metric_thresholds or {}),
            "required_card_fields": builtins.list(required_card_fields or []),
            "validation_dataset_version_id": validation_dataset_version_id,
        }
        return self._send(Policy, "PUT", f"/approval-policies/{stage}", json=body)

    def _decide(self, request_id: int, verb: str, comment: str) -> PromotionRequest:
        path = f"/approvals/{request_id}/{verb}"
        return self._send(PromotionRequest, "POST", path, json={"comment": comment})
