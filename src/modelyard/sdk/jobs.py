"""``client.jobs``: status, progress, logs and cancellation of heavy work."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable

from modelyard.domain import Job, JobKind, JobLogLine, JobStatus, Page
from modelyard.sdk.transport import Resource


class Jobs(Resource):
    def get(self, job_id: int) -> Job:
        return self._send(Job, "GET", f"/jobs/{job_id}")

    def list(
        self,
        *,
        status: JobStatus | str | None = None,
        kind: JobKind | str | None = None,
        project_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Job]:
        params = {"status": status, "kind": kind, "project_id": project_id}
        params |= {"offset": offset, "limit": limit}
        return self._send(Page[Job], "GET", "/jobs", params=params)

    def logs(self, job_id: int, *, after: int = 0) -> builtins.list[JobLogLine]:
        """A job's log lines, skipping the first ``after``."""
        lines = self._transport.request("GET", f"/jobs/{job_id}/logs", params={"after": after})
        return [JobLogLine.model_validate(line) for line in lines]

    def cancel(self, job_id: int) -> Job:
        """Ask a queued or running job to stop; it ends as ``cancelled``."""
        return self._send(Job, "POST", f"/jobs/{job_id}/cancel")

    def wait(
        self,
        job_id: int,
        timeout_s: float | None = None,
        *,
        on_progress: Callable[[Job], object] | None = None,
        poll_s: float = 0.5,
    ) -> Job:
        """Poll until the job is finished and return it (succeeded, failed or cancelled).

        ``on_progress`` is called with the job after every poll. Raises ``TimeoutError``
        when ``timeout_s`` passes first; the job keeps running on the server.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            job = self.get(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.status.is_finished:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Job {job_id} did not finish within {timeout_s:g} s (it is {job.status}, "
                    f"{job.progress:.0%}); it keeps running on the server."
                )
            left_s = poll_s if deadline is None else deadline - time.monotonic()
            time.sleep(max(0.0, min(poll_s, left_s)))
