"""``client.connections``: saved SQL database connections, and read-only imports from them.

The server keeps a URL encrypted (or reads it from an environment variable of its own) and
shows it back only with the password hidden.
"""

from __future__ import annotations

from modelyard.domain import DatasetVersion, Page
from modelyard.domain.entities import ConnectionInfo
from modelyard.sdk.transport import Resource

IMPORT_TIMEOUT_S = 600.0  # the whole result is fetched and written as a dataset version


class Connections(Resource):
    def create(
        self, name: str, *, url: str | None = None, env_var: str | None = None
    ) -> ConnectionInfo:
        """Save a connection from a SQLAlchemy ``url`` or the server's ``env_var`` holding one."""
        body = {"name": name, "url": url, "env_var": env_var}
        return self._send(ConnectionInfo, "POST", "/connections", json=body)

    def list(self, *, offset: int = 0, limit: int = 50) -> Page[ConnectionInfo]:
        params = {"offset": offset, "limit": limit}
        return self._send(Page[ConnectionInfo], "GET", "/connections", params=params)

    def delete(self, connection_id: int) -> None:
        self._transport.request("DELETE", f"/connections/{connection_id}")

    def import_query(
        self, connection_id: int, sql: str, dataset_name: str, *, project_id: int | None = None
    ) -> DatasetVersion:
        """Run one reading query on the database; its result is a new version of a dataset."""
        body = {"sql": sql, "dataset_name": dataset_name, "project_id": project_id}
        timeout_s = max(self._transport.timeout_s, IMPORT_TIMEOUT_S)
        path = f"/connections/{connection_id}/import"
        return self._send(DatasetVersion, "POST", path, json=body, timeout_s=timeout_s)
