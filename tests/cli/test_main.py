"""The root command: instant help, version, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time

HEAVY = (
    "mlflow",
    "sklearn",
    "torch",
    "pandas",
    "dask",
    "distributed",
    "fastapi",
    "sqlalchemy",
    "nicegui",
)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import json, sys, modelyard.cli.main; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []


def test_help_answers_quickly_in_a_fresh_process() -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "modelyard.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed_s = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert "datasets" in done.stdout and "predict" in done.stdout and "serve" in done.stdout
    assert elapsed_s < 5, f"`modelyard --help` took {elapsed_s:.1f} s"


def test_version_prints_text_and_json(cli) -> None:
    from modelyard import __version__

    assert cli("version").stdout.strip() == f"modelyard {__version__}"
    assert json.loads(cli("version", "--json").stdout) == {"version": __version__}


def test_an_unknown_command_is_a_usage_error(cli) -> None:
    result = cli("fly")
    assert result.exit_code == 2
    assert "No such command" in result.output
