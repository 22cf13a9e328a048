"""Refreshing a cache entry in the background shortly before it expires.

The route and token caches trust an entry for a few seconds. Without this, the first
requests after an entry expires all miss together and each goes to the database (through
the router and the thread pool): a stall every few seconds, the p99 of a busy endpoint.
Refreshed about a second early, an entry that is in use never expires, and an entry is
still never older than its time to live.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

__all__ = ["REFRESH_AHEAD_S", "Refresher"]

REFRESH_AHEAD_S = 1.0  # an entry this close to expiring is refreshed by the next use


class Refresher:
    """Runs refreshes on one background thread, at most one per key at a time."""

    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: set[Hashable] = set()
        self._lock = threading.Lock()

    def submit(self, key: Hashable, refresh: Callable[[], None]) -> None:
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
        try:
            self._pool.submit(self._run, key, refresh)
        except RuntimeError:  # shutting down: the entry simply expires
            with self._lock:
                self._pending.discard(key)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _run(self, key: Hashable, refresh: Callable[[], None]) -> None:
        try:
            refresh()
        except Exception:  # the entry expires; the next request looks it up and sees why
            log.debug("refreshing %r failed", key, exc_info=True)
        finally:
            with self._lock:
                self._pending.discard(key)
