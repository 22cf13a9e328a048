"""``client.runs``: compare training runs, download their reports and exports, read their
configuration and train again from it. (``client.training.runs()`` lists runs.)"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from modelyard.domain import Job
from modelyard.domain.run_views import RunComparison
from modelyard.sdk.transport import Resource


class Runs(Resource):
    def compare(self, run_ids: list[int]) -> RunComparison:
        """Metric table, parameter diff and overlaid curves of 2-10 runs."""
        ids = ",".join(str(i) for i in run_ids)
        return self._send(RunComparison, "GET", "/runs/compare", params={"ids": ids})

    def report(
        self, run_id: int, path: str | Path, *, format: Literal["html", "pdf"] = "html"
    ) -> Path:
        """Save the run's report (HTML or PDF) to ``path``."""
        target = Path(path)
        params = {"format": format}
        self._transport.download(f"/runs/{run_id}/report", target, params=params)
        return target

    def export(self, run_id: int, path: str | Path) -> Path:
        """Save a zip of the run (model and every artifact) to ``path``."""
        target = Path(path)
        self._transport.download(f"/runs/{run_id}/export.zip", target)
        return target

    def config(self, run_id: int) -> str:
        """The run's training configuration as YAML text."""
        return self._transport.text("GET", f"/runs/{run_id}/config.yaml")

    def rerun(self, run_id: int) -> Job:
        """Queue a new training job with the run's configuration."""
        return self._send(Job, "POST", f"/runs/{run_id}/rerun")

    def start_from_config(self, config_yaml: str) -> Job:
        """Queue a training job from a YAML configuration (as ``config`` returns it)."""
        headers = {"Content-Type": "application/yaml"}
        return self._send(
            Job, "POST", "/runs/from-config", content=config_yaml.encode(), headers=headers
        )
