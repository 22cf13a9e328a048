"""The Compute port on Dask distributed: a LocalCluster by default, or a remote scheduler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from modelyard.errors import DependencyUnavailableError

log = logging.getLogger(__name__)


class DaskCompute:
    """Submits job functions to Dask and tells when one dies without finishing.

    The cluster starts in a background thread so the web server answers at once; work
    submitted before it is up waits for it.
    """

    def __init__(
        self,
        *,
        address: str | None,
        n_workers: int = 1,
        threads_per_worker: int = 2,
        memory_limit: str = "auto",
    ) -> None:
        self._address = address
        self._cluster_kwargs = {
            "n_workers": n_workers,
            "threads_per_worker": threads_per_worker,
            "memory_limit": memory_limit,
        }
        self._cluster: Any = None
        self._client: Any = None
        self._futures: dict[str, Any] = {}
        self._started = threading.Event()
        self._start_error: Exception | None = None
        self._thread = threading.Thread(target=self._start, name="dask-start", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster

            if self._address:
                self._client = Client(self._address, timeout="20s")
            else:
                # A job whose worker dies fails with the reason; it is not re-run blindly
                # (training that ran out of memory would only kill the next worker too).
                dask.config.set({"distributed.scheduler.allowed-failures": 0})
                self._cluster = LocalCluster(
                    processes=True, dashboard_address=None, **self._cluster_kwargs
                )
                self._client = Client(self._cluster)
            log.info("dask ready", extra={"scheduler": self._client.scheduler.address})
        except Exception as exc:  # any failure to start means "compute unavailable"
            log.exception("dask failed to start")
            self._start_error = exc
        finally:
            self._started.set()

    def client(self, timeout_s: float = 60.0) -> Any:
        if not self._started.wait(timeout_s):
            raise DependencyUnavailableError(
                "The Dask cluster is still starting; try again in a moment.", code="dask.starting"
            )
        if self._client is None:
            raise DependencyUnavailableError(
                f"The Dask cluster is not available: {self._start_error}", code="dask.unavailable"
            )
        return self._client

    def is_ready(self) -> bool:
        return self._started.is_set() and self._client is not None

    def submit(self, fn: Callable[..., Any], *args: Any, key: str) -> None:
        future = self.client().submit(fn, *args, key=key, pure=False, retries=0)
        self._futures[key] = future

    def on_failure(self, key: str, callback: Callable[[str, str], None]) -> None:
        """Call ``callback(key, reason)`` when the task ends in error (worker death included)."""
        future = self._futures.get(key)
        if future is None:
            from distributed import Future

            future = Future(key, client=self.client())
            self._futures[key] = future

        def _done(fut: Any) -> None:
            self._futures.pop(key, None)
            if fut.status in ("error", "lost", "cancelled"):
                try:
                    reason = repr(fut.exception(timeout=5))
                except Exception as exc:  # the future may have no exception to fetch
                    reason = f"{fut.status}: {exc!r}"
                callback(key, reason)

        future.add_done_callback(_done)

    def is_alive(self, key: str) -> bool:
        """Whether the scheduler still knows the task (queued or running)."""
        if key in self._futures:
            return not self._futures[key].done()
        client = self.client()
        status = client.run_on_scheduler(
            lambda dask_scheduler, k=key: (
                dask_scheduler.tasks[k].state if k in dask_scheduler.tasks else None
            )
        )
        return status in ("waiting", "processing", "no-worker", "queued")

    def cancel(self, key: str) -> None:
        future = self._futures.get(key)
        if future is not None:
            future.cancel()

    def close(self) -> None:
        self._started.wait(60)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
