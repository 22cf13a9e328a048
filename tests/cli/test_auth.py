"""`modelyard login` / `logout` and which server and token commands use."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

import modelyard
from modelyard.cli.credentials import Credentials, connection, load_credentials, save_credentials
from modelyard.errors import AuthenticationError
from modelyard.settings import ClientSettings
from tests.cli.conftest import make_invoke
from tests.conftest import ADMIN_PASSWORD


def credentials_file(tmp_path: Path) -> Path:
    return tmp_path / "cli-home" / "credentials.json"


def test_login_keeps_url_and_a_working_token_readable_by_the_owner_only(
    cli, client, tmp_path
) -> None:
    result = cli("login", "--url", "http://testserver", input=f"admin\n{ADMIN_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Logged in to http://testserver as admin" in result.stdout
    assert ADMIN_PASSWORD not in result.stdout
    path = credentials_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = load_credentials(path)
    assert stored is not None and stored.url == "http://testserver"
    assert (
        modelyard.Client(stored.url, stored.token, http_client=client).auth.me().username == "admin"
    )


def test_login_with_a_wrong_password_fails_and_stores_nothing(cli, tmp_path) -> None:
    result = cli("login", "--username", "admin", "--password", "wrong-password")

    assert result.exit_code == 1
    assert "Wrong username or password." in result.stderr
    assert not credentials_file(tmp_path).exists()


def test_logout_revokes_the_token_and_deletes_the_file(cli, client, tmp_path) -> None:
    cli("login", "--url", "http://testserver", "--username", "admin", "--password", ADMIN_PASSWORD)
    stored = load_credentials(credentials_file(tmp_path))
    assert stored is not None

    result = cli("logout")

    assert result.exit_code == 0, result.output
    assert not credentials_file(tmp_path).exists()
    with pytest.raises(AuthenticationError) as caught:
        modelyard.Client(stored.url, stored.token, http_client=client).auth.me()
    assert caught.value.code == "auth.token_revoked"
    assert cli("logout").stdout.strip() == "Not logged in."


def test_the_last_login_is_used_unless_the_environment_says_otherwise(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("MODELYARD_HOME", str(tmp_path))
    for name in ("MODELYARD_URL", "MODELYARD_TOKEN", "MODELYARD_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    save_credentials(
        tmp_path / "credentials.json", Credentials(url="http://a:8000", token="stored")
    )
    assert connection(ClientSettings()) == ("http://a:8000", "stored")

    monkeypatch.setenv("MODELYARD_TOKEN", "from-env")
    assert connection(ClientSettings()) == ("http://a:8000", "from-env")

    monkeypatch.delenv("MODELYARD_TOKEN")
    monkeypatch.setenv("MODELYARD_URL", "http://b:8000")
    assert connection(ClientSettings()) == ("http://b:8000", None)  # a token never goes elsewhere


def test_a_server_that_is_not_running_gets_a_readable_error(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    invoke = make_invoke(None, tmp_path, MODELYARD_URL=f"http://127.0.0.1:{port}")

    result = invoke("datasets", "list")

    assert result.exit_code == 1
    assert f"cannot reach Modelyard at http://127.0.0.1:{port}" in result.stderr
    assert "modelyard serve" in result.stderr
