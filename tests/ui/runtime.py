"""What tests/ui/conftest.py hands to tests/ui/main.py, which runpy runs afresh for each test."""

from __future__ import annotations

from pathlib import Path

from modelyard.integrations.dask_compute import DaskCompute

compute: DaskCompute | None = None
home: Path | None = None
