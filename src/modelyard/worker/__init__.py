"""Dask entry points: they rebuild infrastructure from settings and run one job."""

from modelyard.worker.tasks import run_job

__all__ = ["run_job"]
