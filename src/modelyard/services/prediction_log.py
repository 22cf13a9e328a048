"""Logging predictions off the request path: queued in memory, written in batches.

A background thread writes whatever has queued every ``interval_s``, in INSERTs of at most
``batch_size`` rows; ``close`` writes the rest, so a clean shutdown loses nothing.
Draining and writing happen under one lock, so ``flush`` returns only once every row added
before it is committed, including rows the background thread took but had not yet written.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from sqlalchemy import insert

from modelyard.db.tables import SqlPrediction
from modelyard.db.uow import UnitOfWork

log = logging.getLogger(__name__)


class PredictionLog:
    def __init__(self, uow: UnitOfWork, *, interval_s: float = 0.5, batch_size: int = 1000) -> None:
        self._uow = uow
        self._interval_s = interval_s
        self._batch_size = batch_size
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._writing = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)
        self._thread.start()

    def add(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self._queue.put(row)

    def flush(self) -> None:
        """Write everything queued so far (reads of the log, tests, shutdown)."""
        with self._writing:
            self._write(self._drain())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                with self._writing:
                    self._write(self._drain())
            except Exception:  # a failed write must not kill the logger; rows are re-queued
                log.exception("could not write predictions; will retry")

    def _drain(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        while len(rows) < self._batch_size * 10:
            try:
                rows.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return rows

    def _write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        try:
            for start in range(0, len(rows), self._batch_size):
                with self._uow.begin() as session:  # one bulk INSERT: no ORM objects per row
                    session.execute(insert(SqlPrediction), rows[start : start + self._batch_size])
        except Exception:
            for row in rows:
                self._queue.put(row)
            raise
