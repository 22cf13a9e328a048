import pytest
from pydantic import ValidationError

from modelyard.settings import Settings


def test_defaults_live_in_the_data_home(tmp_path):
    settings = Settings(home=tmp_path)
    assert settings.db.url == f"sqlite:///{tmp_path / 'modelyard.db'}"
    assert settings.artifacts.uri == str(tmp_path / "artifacts")
    assert settings.mlflow.tracking_uri == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert settings.dask.address is None
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8000)


def test_environment_variables_and_short_aliases(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELYARD_HOME", str(tmp_path))
    monkeypatch.setenv("MODELYARD_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("MODELYARD_SERVER__PORT", "9001")
    monkeypatch.setenv("MODELYARD_DASK_ADDRESS", "tcp://sched:8786")
    settings = Settings()
    assert settings.home == tmp_path
    assert settings.db.url == "postgresql+psycopg://u@h/db"
    assert settings.server.port == 9001
    assert settings.dask.address == "tcp://sched:8786"


def test_unsafe_production_settings_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        Settings(home=tmp_path, environment="production")


def test_unknown_log_level_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="log level"):
        Settings(home=tmp_path, log_level="LOUD")


def test_secrets_are_not_printed(tmp_path):
    settings = Settings(home=tmp_path, admin_password="very-secret-1")
    assert "very-secret-1" not in repr(settings)
