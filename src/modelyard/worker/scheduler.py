"""The scheduler loop: every ``interval_s`` it asks the schedule service to start what is due.

One daemon thread per server process. Several processes may run it against one database:
``ScheduleService.run_due`` claims each due schedule for exactly one of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

log = logging.getLogger(__name__)

RunDue = Callable[[], list[int]]


class SchedulerLoop:
    def __init__(self, run_due: RunDue, *, interval_s: float) -> None:
        self._run_due = run_due
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_tick: datetime | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="modelyard-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the loop to end and wait for the tick in progress (if any) to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                started = self._run_due()
                if started:
                    log.info("scheduler started job(s) %s", ", ".join(map(str, started)))
            except Exception:  # a bad tick must not end the loop; the next one retries
                log.exception("scheduler tick failed")
