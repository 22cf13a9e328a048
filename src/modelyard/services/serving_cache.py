"""Served models, loaded once per model version and compiled for fast prediction.

A model version is immutable, so its loaded (and compiled) pipeline is kept for the life
of the process: an LRU of the most recently used versions, safe to share between threads.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from modelyard.domain import ModelVersion
from modelyard.heap import settle
from modelyard.ml.compiled import ServedModel, compile_model
from modelyard.ports import Tracker

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 16


class ServingCache:
    def __init__(self, tracker: Tracker, *, capacity: int = DEFAULT_CAPACITY) -> None:
        self._tracker = tracker
        self._capacity = max(1, capacity)
        self._models: OrderedDict[int, ServedModel] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[int, threading.Lock] = {}

    def get(self, version: ModelVersion) -> ServedModel:
        """The served model of ``version``: loaded from MLflow and compiled on first use."""
        with self._lock:
            served = self._models.get(version.id)
            if served is not None:
                self._models.move_to_end(version.id)
                return served
            loading = self._loading.setdefault(version.id, threading.Lock())
        with loading:  # one load per version, however many requests wait for it
            with self._lock:
                served = self._models.get(version.id)
            if served is None:
                served = self._load(version)
                settle()  # the model (and what loading it imported) is long-lived too
            with self._lock:
                self._models[version.id] = served
                self._models.move_to_end(version.id)
                while len(self._models) > self._capacity:
                    self._models.popitem(last=False)
                self._loading.pop(version.id, None)
            return served

    def _load(self, version: ModelVersion) -> ServedModel:
        pipeline = self._tracker.load_model(version.mlflow_uri)
        columns = [(c.name, c.kind) for c in version.feature_columns]
        served = compile_model(pipeline, columns, task=version.task)
        if not served.is_compiled:
            log.info(
                "%s version %s is served by its plain pipeline: %s",
                version.name,
                version.version,
                served.reason,
            )
        return served

    def is_compiled(self, version_id: int) -> bool:
        """Whether the version is loaded and served by its compiled path (fast, no I/O)."""
        served = self._models.get(version_id)
        return served is not None and served.is_compiled

    def __contains__(self, version_id: int) -> bool:
        with self._lock:
            return version_id in self._models

    def clear(self) -> None:
        with self._lock:
            self._models.clear()
