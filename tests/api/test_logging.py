import json
import logging

from modelyard.logs import configure_logging


def test_api_log_lines_are_json_with_request_id_and_actor_and_no_secrets(
    client, auth_headers, capsys
):
    configure_logging("INFO", is_json=True)
    try:
        client.get("/api/v1/projects", headers={**auth_headers, "x-request-id": "req-42"})
    finally:
        configure_logging("WARNING")
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = [line for line in lines if line.get("request_id") == "req-42"]
    assert (
        access
        and access[-1]["actor"] == "admin"
        and "GET /api/v1/projects -> 200" in access[-1]["message"]
    )
    token = auth_headers["Authorization"].split()[1]
    assert all(token not in json.dumps(line) for line in lines)
    logging.getLogger().setLevel(logging.WARNING)
