"""The CLI's one error mapper."""

from __future__ import annotations

import json

import httpx

import modelyard
from tests.cli.conftest import make_invoke


def broken_client() -> modelyard.Client:
    """A client whose HTTP layer fails with a bug (not one of our errors)."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug")

    return modelyard.Client(
        "http://testserver", "t", http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )


def test_our_errors_print_the_message_on_stderr_and_exit_1(cli) -> None:
    result = cli("jobs", "show", "999")

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No job with id 999."
    assert result.stdout == ""


def test_with_json_the_error_shape_goes_to_stdout(cli) -> None:
    result = cli("endpoints", "show", "nope", "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": {
            "code": "endpoint.not_found",
            "message": "No endpoint named 'nope'.",
            "details": {},
        }
    }


def test_unexpected_errors_get_a_generic_message_and_no_traceback(tmp_path) -> None:
    result = make_invoke(broken_client(), tmp_path)("models", "list")

    assert result.exit_code == 1
    assert "Unexpected error (RuntimeError)" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback_of_unexpected_errors(tmp_path) -> None:
    result = make_invoke(broken_client(), tmp_path)("--debug", "models", "list")

    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "a bug" in result.stderr
