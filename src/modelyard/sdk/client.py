"""``modelyard.Client``: the Python SDK, an HTTP client over the REST API ``/api/v1``.

    import modelyard

    client = modelyard.Client.login("http://127.0.0.1:8000", "admin", "secret")
    version = client.datasets.upload("churn.csv")
    job = client.training.start(version.id, target="churned")
    job = client.jobs.wait(job.id)
    model = client.models.register(job.result["run_id"])
    client.endpoints.create("churn", model.id)
    client.approvals.request(model.id, "production")  # an approver then approves it
    result = client.endpoints.predict("churn", [{"tenure": 3, "plan": "basic"}])
    client.feedback.record(result.prediction_ids[0], "yes")
    frame = client.query("SELECT plan, avg(spend) FROM churn GROUP BY plan")  # pandas

One attribute per resource, with the verbs of the services. Failures raise the same
classes as on the server (:mod:`modelyard.errors`).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from modelyard.sdk.ab_tests import ABTests
from modelyard.sdk.approvals import Approvals
from modelyard.sdk.audit import Audit
from modelyard.sdk.auth import Auth
from modelyard.sdk.connections import Connections
from modelyard.sdk.datasets import Datasets
from modelyard.sdk.endpoints import Endpoints
from modelyard.sdk.feedback import Feedback
from modelyard.sdk.jobs import Jobs
from modelyard.sdk.models import Models
from modelyard.sdk.projects import Projects
from modelyard.sdk.runs import Runs
from modelyard.sdk.schedules import Schedules
from modelyard.sdk.scoring import Scoring
from modelyard.sdk.sql import Sql
from modelyard.sdk.training import Training
from modelyard.sdk.transport import Transport
from modelyard.sdk.users import Users

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_TIMEOUT_S = 30.0


class Client:
    """A connection to one Modelyard server, authenticated by an API token.

    ``http_client`` lets you bring your own :class:`httpx.Client` (proxies, certificates,
    or FastAPI's ``TestClient`` in tests); the Client then leaves closing it to you.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        http_client: httpx.Client | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._transport = Transport(url, token, http_client=http_client, timeout_s=timeout_s)
        self.auth = Auth(self._transport)
        self.users = Users(self._transport)
        self.projects = Projects(self._transport)
        self.datasets = Datasets(self._transport)
        self.sql = Sql(self._transport)
        self.connections = Connections(self._transport)
        self.training = Training(self._transport)
        self.jobs = Jobs(self._transport)
        self.models = Models(self._transport)
        self.endpoints = Endpoints(self._transport)
        self.approvals = Approvals(self._transport)
        self.feedback = Feedback(self._transport)
        self.scoring = Scoring(self._transport)
        self.audit = Audit(self._transport)
        self.ab_tests = ABTests(self._transport)
        self.schedules = Schedules(self._transport)
        self.runs = Runs(self._transport)

    @classmethod
    def login(
        cls,
        url: str,
        username: str,
        password: str,
        *,
        token_name: str = "sdk",
        http_client: httpx.Client | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> Self:
        """Log in with a username and password; return a Client that uses the new token."""
        client = cls(url, http_client=http_client, timeout_s=timeout_s)
        try:
            client._transport.token = client.auth.login(username, password, name=token_name).token
        except BaseException:
            client.close()
            raise
        return client

    def query(self, sql: str, *, offset: int = 0, limit: int | None = None) -> pd.DataFrame:
        """Run a read-only SQL query over the datasets; its rows as a pandas DataFrame.

        Shorthand for ``client.sql.frame(...)``: all rows, or ``limit`` from ``offset``.
        Needs pandas; ``client.sql.query`` returns one page without it.
        """
        return self.sql.frame(sql, offset=offset, limit=limit)

    @property
    def url(self) -> str:
        return self._transport.url

    @property
    def token(self) -> str | None:
        return self._transport.token

    def close(self) -> None:
        """Close the HTTP connections (only those the Client opened itself)."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<modelyard.Client {self.url} {'with' if self.token else 'without'} token>"
