"""``client.training``: start training jobs and read their runs."""

from __future__ import annotations

from typing import Any

from modelyard.domain import Job, Page, Run
from modelyard.sdk.transport import Resource


class Training(Resource):
    def start(
        self,
        dataset_version_id: int,
        target: str = "",
        *,
        project_id: int | None = None,
        time_budget_s: float | None = None,
        seed: int = 0,
        **options: Any,
    ) -> Job:
        """Queue an AutoML training job; watch it with ``client.jobs.wait(job.id)``.

        ``options`` are further search settings: metric, validation, n_folds, families,
        max_predict_latency_ms, max_model_size_mb, ensemble, max_trials, task
        ("clustering" or "anomaly" need no target), n_clusters, contamination, and the
        preprocessing options imputation, scaling, encoding, interactions, resampling,
        threshold_metric, cost_matrix, feature_selection, max_features
        (docs/preprocessing.md).
        """
        settings = {"time_budget_s": time_budget_s, "seed": seed, **options}
        body = {"dataset_version_id": dataset_version_id, "target": target}
        body |= {"project_id": project_id, "options": settings}
        return self._send(Job, "POST", "/training", json=body)

    def recommend(self, dataset_version_id: int, target: str = "") -> dict[str, Any]:
        """Suggested task, metric, families, validation and budget, each with its reason
        (without a target: clustering)."""
        path = f"/dataset-versions/{dataset_version_id}/recommendation"
        recommendation: dict[str, Any] = self._transport.request(
            "GET", path, params={"target": target}
        )
        return recommendation

    def runs(self, *, project_id: int | None = None, offset: int = 0, limit: int = 50) -> Page[Run]:
        params = {"project_id": project_id, "offset": offset, "limit": limit}
        return self._send(Page[Run], "GET", "/runs", params=params)

    def run(self, run_id: int) -> Run:
        return self._send(Run, "GET", f"/runs/{run_id}")
