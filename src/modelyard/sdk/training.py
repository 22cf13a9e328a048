"""``client.training``: start training jobs and read their runs."""

from __future__ import annotations

from modelyard.domain import Job, Page, Run
from modelyard.sdk.transport import Resource


class Training(Resource):
    def start(
        self, dataset_version_id: int, target: str, *, project_id: int | None = None, seed: int = 0
    ) -> Job:
        """Queue a training job; watch it with ``client.jobs.wait(job.id)``."""
        body = {"dataset_version_id": dataset_version_id, "target": target}
        body |= {"project_id": project_id, "seed": seed}
        return self._send(Job, "POST", "/training", json=body)

    def runs(self, *, project_id: int | None = None, offset: int = 0, limit: int = 50) -> Page[Run]:
        params = {"project_id": project_id, "offset": offset, "limit": limit}
        return self._send(Page[Run], "GET", "/runs", params=params)

    def run(self, run_id: int) -> Run:
        return self._send(Run, "GET", f"/runs/{run_id}")
