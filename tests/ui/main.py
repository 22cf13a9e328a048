"""The app behind the UI tests; NiceGUI's ``user`` fixture runs this file once per test.

Settings are built explicitly (never from a developer's environment) with a fresh data home,
the services are the real ones, and jobs run on the session's Dask cluster.
"""

from nicegui import app, ui
from pydantic import SecretStr

import modelyard.ui.pages  # noqa: F401  (importing registers the pages)
from modelyard.services.container import build_services
from modelyard.settings import Settings, TrainingSettings
from modelyard.ui import context
from tests.conftest import ADMIN_PASSWORD, TRAINING_BUDGET_S
from tests.ui import runtime

assert runtime.compute is not None and runtime.home is not None, "run through tests/ui/conftest.py"

settings = Settings(
    home=runtime.home,
    environment="test",
    admin_user="admin",
    admin_password=SecretStr(ADMIN_PASSWORD),
    training=TrainingSettings(default_time_budget_s=TRAINING_BUDGET_S, default_max_trials=3),
)
services = build_services(settings, compute=runtime.compute)
services.owns_compute = False
services.users.bootstrap("admin", ADMIN_PASSWORD)
context.set_services(services)
app.on_shutdown(services.close)

ui.run(storage_secret="modelyard ui tests", title="Modelyard")
