"""Keeping the cycle collector off the request path of a long-running server.

The web process holds a large, long-lived heap (FastAPI, NiceGUI, SQLAlchemy, pandas,
MLflow once a model is loaded). CPython's oldest generation is collected every so often,
and each such collection walks that whole heap: about 0.2 s during which no request is
answered (measured with `benchmarks/predict_profile.py`: the single worst latency of
20,000 predictions). ``settle`` collects once and then freezes what survives (``gc.freeze``):
those objects leave the collector's generations, so later collections walk only what was
made since. Reference counting still frees everything as usual; a frozen object that
later becomes cyclic garbage waits until the next ``settle``, which unfreezes first.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

__all__ = ["settle"]


def settle() -> None:
    """Collect everything once, then freeze the survivors (call after loading for good)."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    log.debug(
        "heap settled in %.0f ms: %d objects frozen",
        (time.perf_counter() - started) * 1000,
        gc.get_freeze_count(),
    )
