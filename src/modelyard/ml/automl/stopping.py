"""Stopping a search early and keeping the best model found so far.

A progress callback stops the search by raising :class:`StopRequested`, or the job's
:class:`~modelyard.errors.JobCancelledError` (a user pressed cancel). The search ends
within one fold, the best trial so far is refitted and returned, and the reports made
while finishing no longer raise.
"""

from __future__ import annotations

from collections.abc import Callable

from modelyard.errors import JobCancelledError

Progress = Callable[[float, str], None]


class StopRequested(Exception):
    """Raised by a progress callback: end the search now, keep the best model so far."""


def is_stop(exc: BaseException) -> bool:
    return isinstance(exc, StopRequested | JobCancelledError)


class StopGuard:
    """Wraps a progress callback; after the first stop request, further ones are ignored."""

    def __init__(self, report: Progress) -> None:
        self._report = report
        self.stop: BaseException | None = None

    def __call__(self, fraction: float, message: str) -> None:
        if self.stop is None:
            self._report(fraction, message)
            return
        quiet(self._report)(fraction, message)


def quiet(report: Progress) -> Progress:
    """``report`` without its stop requests (for the steps after the search stopped)."""

    def call(fraction: float, message: str) -> None:
        try:
            report(fraction, message)
        except Exception as exc:
            if not is_stop(exc):
                raise

    return call
