"""``client.schedules``: batch scoring on a cron schedule.

schedule = client.schedules.create("nightly", "0 2 * * *", dataset_version_id=7,
                                   model_version_id=3, format="parquet")
client.schedules.preview("0 2 * * *", count=3)   # the next fire times, UTC
client.schedules.run(schedule.id)                 # a job, now
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Literal

from pydantic import TypeAdapter

from modelyard.domain import Job, Page
from modelyard.domain.schedules import Schedule
from modelyard.sdk.transport import Resource

_TIMES = TypeAdapter(builtins.list[datetime])


class Schedules(Resource):
    def create(
        self,
        name: str,
        cron: str,
        *,
        dataset_version_id: int,
        model_version_id: int | None = None,
        endpoint: str | None = None,
        format: Literal["csv", "parquet"] = "csv",  # noqa: A002
        timezone: str = "UTC",
        is_enabled: bool = True,
    ) -> Schedule:
        """Score ``dataset_version_id`` each time ``cron`` fires, with a model version or
        with whatever version ``endpoint`` serves at that time."""
        body = {
            "name": name,
            "cron": cron,
            "timezone": timezone,
            "dataset_version_id": dataset_version_id,
            "model_version_id": model_version_id,
            "endpoint": endpoint,
            "format": format,
            "is_enabled": is_enabled,
        }
        return self._send(Schedule, "POST", "/schedules", json=body)

    def list(
        self, *, model_version_id: int | None = None, offset: int = 0, limit: int = 50
    ) -> Page[Schedule]:
        params = {"model_version_id": model_version_id, "offset": offset, "limit": limit}
        return self._send(Page[Schedule], "GET", "/schedules", params=params)

    def get(self, schedule_id: int) -> Schedule:
        return self._send(Schedule, "GET", f"/schedules/{schedule_id}")

    def enable(self, schedule_id: int) -> Schedule:
        return self._send(Schedule, "PATCH", f"/schedules/{schedule_id}", json={"is_enabled": True})

    def disable(self, schedule_id: int) -> Schedule:
        return self._send(
            Schedule, "PATCH", f"/schedules/{schedule_id}", json={"is_enabled": False}
        )

    def delete(self, schedule_id: int) -> None:
        self._transport.request("DELETE", f"/schedules/{schedule_id}")

    def run(self, schedule_id: int) -> Job:
        """Start the schedule's job now (its planned runs stay as they are)."""
        return self._send(Job, "POST", f"/schedules/{schedule_id}/run")

    def preview(
        self, cron: str, *, timezone: str = "UTC", count: int = 5
    ) -> builtins.list[datetime]:
        """The next ``count`` times ``cron`` fires, in UTC (checks the expression)."""
        params = {"cron": cron, "timezone": timezone, "count": count}
        answer = self._transport.request("GET", "/schedules/preview", params=params)
        return _TIMES.validate_python(answer["next_runs"])
