"""``client.scoring``: score a whole dataset version with a model version, as a job.

job = client.scoring.start(model.id, version.id)
client.jobs.wait(job.id)
client.scoring.download(job.id, "scores.csv")  # the rows, prediction, probability_<class>
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from modelyard.domain import Job
from modelyard.sdk.transport import Resource

ScoreFormat = Literal["csv", "parquet"]


class Scoring(Resource):
    def start(self, model_version_id: int, dataset_version_id: int) -> Job:
        """Queue a batch scoring job; watch it with ``client.jobs.wait(job.id)``."""
        body = {"model_version_id": model_version_id, "dataset_version_id": dataset_version_id}
        return self._send(Job, "POST", "/scoring-jobs", json=body)

    def download(self, job_id: int, path: str | Path, format: ScoreFormat = "csv") -> Path:  # noqa: A002
        """Save a finished job's scores (CSV or Parquet) at ``path``.

        The body streams into a file beside ``path`` that is renamed at the end, so a
        failed download leaves nothing under ``path``.
        """
        target = Path(path)
        params = {"format": format}
        self._transport.download(f"/scoring-jobs/{job_id}/scores", target, params=params)
        return target
