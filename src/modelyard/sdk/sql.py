"""``client.sql``: the SQL workbench, read-only DuckDB queries over the datasets.

Each dataset is a table named after it (its latest version), and ``name@vN`` is version N:

    result = client.sql.query('SELECT plan, count(*) AS n FROM churn GROUP BY 1')
    version = client.sql.save_result("SELECT * FROM churn WHERE plan = 'basic'", "basic")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelyard.domain import DatasetVersion, Page
from modelyard.domain.entities import QueryResult, SavedQuery
from modelyard.sdk.transport import Resource

if TYPE_CHECKING:
    import pandas as pd

SAVE_TIMEOUT_S = 600.0  # the whole result is written as a dataset version
MAX_PAGE_ROWS = 1000  # the most rows the server returns in one page


class Sql(Resource):
    def query(self, sql: str, *, offset: int = 0, limit: int = 100) -> QueryResult:
        """One page of a query's rows (``limit`` at most 1000) and the total row count.

        Only one statement that reads is accepted; the query is kept in your history.
        """
        body = {"sql": sql, "offset": offset, "limit": limit}
        return self._send(QueryResult, "POST", "/sql/query", json=body)

    def frame(self, sql: str, *, offset: int = 0, limit: int | None = None) -> pd.DataFrame:
        """The query's rows as a pandas DataFrame: all of them, or ``limit`` from ``offset``.

        Rows arrive as JSON, page by page: dates come back as text. Needs pandas installed.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "client.sql.frame needs pandas: `pip install pandas` (or use client.sql.query)."
            ) from exc
        result = self.query(sql, offset=offset, limit=_page(limit))
        columns, rows = result.columns, list(result.rows)
        end = result.total_rows if limit is None else min(result.total_rows, offset + limit)
        while rows and offset + len(rows) < end:
            left = end - offset - len(rows)
            rows += self.query(sql, offset=offset + len(rows), limit=_page(left)).rows
        return pd.DataFrame.from_records(rows, columns=columns)

    def save_result(
        self, sql: str, dataset_name: str, *, project_id: int | None = None
    ) -> DatasetVersion:
        """Run a query to the end; its result becomes a new version of ``dataset_name``."""
        body = {"sql": sql, "dataset_name": dataset_name, "project_id": project_id}
        timeout_s = max(self._transport.timeout_s, SAVE_TIMEOUT_S)
        return self._send(DatasetVersion, "POST", "/sql/results", json=body, timeout_s=timeout_s)

    def tables(self) -> dict[str, list[str]]:
        """Table names a query can use (``name`` and ``name@vN``), with their columns."""
        tables = self._transport.request("GET", "/sql/tables")
        return {str(name): [str(c) for c in columns] for name, columns in tables.items()}

    def history(self, *, saved: bool = False, offset: int = 0, limit: int = 50) -> Page[SavedQuery]:
        """My recent queries, newest first; with ``saved=True`` the workspace's saved ones."""
        params = {"saved": saved, "offset": offset, "limit": limit}
        return self._send(Page[SavedQuery], "GET", "/sql/history", params=params)

    def save(self, name: str, sql: str) -> SavedQuery:
        """Keep a query under ``name`` for the whole workspace."""
        return self._send(SavedQuery, "POST", "/sql/saved", json={"name": name, "sql": sql})


def _page(rows: int | None) -> int:
    return MAX_PAGE_ROWS if rows is None else max(1, min(rows, MAX_PAGE_ROWS))
