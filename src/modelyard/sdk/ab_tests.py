"""``client.ab_tests``: compare two model versions on an endpoint, safely peeking at results.

test = client.ab_tests.create("churn", control_version_id=1, treatment_version_id=2)
results = client.ab_tests.results(test.id)   # per arm metric, always-valid p-value
print(results.recommendation)
client.ab_tests.promote_winner(test.id)      # opens a promotion request for approval
"""

from __future__ import annotations

from typing import Any

from modelyard.domain import Page
from modelyard.domain.ab_tests import ABMetric, ABTest, ABTestResults, ABTestStatus
from modelyard.domain.approvals import Stage
from modelyard.sdk.transport import Resource


class ABTests(Resource):
    def create(
        self,
        endpoint: str,
        control_version_id: int,
        treatment_version_id: int,
        *,
        metric: ABMetric | str | None = None,
        name: str | None = None,
        alpha: float = 0.05,
        min_samples: int = 100,
        treatment_share: float = 0.5,
        route: bool = True,
    ) -> ABTest:
        """Start an A/B test of control (A) against treatment (B) on ``endpoint``."""
        body: dict[str, Any] = {
            "endpoint": endpoint,
            "control_version_id": control_version_id,
            "treatment_version_id": treatment_version_id,
            "metric": None if metric is None else str(metric),
            "name": name,
            "alpha": alpha,
            "min_samples": min_samples,
            "treatment_share": treatment_share,
            "route": route,
        }
        return self._send(ABTest, "POST", "/ab-tests", json=body)

    def list(
        self,
        *,
        endpoint: str | None = None,
        status: ABTestStatus | str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[ABTest]:
        params = {"endpoint": endpoint, "status": status, "offset": offset, "limit": limit}
        return self._send(Page[ABTest], "GET", "/ab-tests", params=params)

    def get(self, test_id: int) -> ABTest:
        return self._send(ABTest, "GET", f"/ab-tests/{test_id}")

    def results(self, test_id: int) -> ABTestResults:
        """Per-arm metrics with confidence bands, the always-valid test and the advice."""
        return self._send(ABTestResults, "GET", f"/ab-tests/{test_id}/results")

    def stop(self, test_id: int) -> ABTest:
        return self._send(ABTest, "POST", f"/ab-tests/{test_id}/stop")

    def promote_winner(
        self, test_id: int, *, note: str = "", stage: Stage | str | None = None
    ) -> ABTest:
        """Ask for the winner's promotion: a pending request an approver then decides."""
        body = {"note": note, "stage": None if stage is None else str(stage)}
        return self._send(ABTest, "POST", f"/ab-tests/{test_id}/promote-winner", json=body)
