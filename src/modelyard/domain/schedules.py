"""Cron schedules: parse and check a cron expression, and list the times it fires.

Five fields (minute hour day-of-month month day-of-week) or one of the ``@hourly``-style
shortcuts. Times are computed in the schedule's time zone and returned in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field

from modelyard.domain.entities import Entity
from modelyard.errors import InvalidInputError


class ScheduleKind(StrEnum):
    BATCH_SCORING = "batch_scoring"


SHORTCUTS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MAX_PREVIEW = 50


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field(
        "month",
        1,
        12,
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ),
    _Field("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_PART = re.compile(r"^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(\d+))?$")


def _bad(expression: str, reason: str) -> InvalidInputError:
    return InvalidInputError(
        f"'{expression}' is not a valid cron expression: {reason}",
        code="schedule.bad_cron",
        details={"cron": expression, "reason": reason},
    )


def _value(expression: str, field: _Field, text: str) -> int:
    lowered = text.lower()
    if field.names and lowered in field.names:
        return field.names.index(lowered) + (1 if field.name == "month" else 0)
    if not text.isdigit():
        raise _bad(expression, f"{field.name} {text!r} is not a number")
    number = int(text)
    if not field.low <= number <= field.high:
        raise _bad(expression, f"{field.name} must be {field.low}-{field.high}")
    return number


def _check_field(expression: str, field: _Field, text: str) -> None:
    for part in text.split(","):
        match = _PART.match(part)
        if match is None:
            raise _bad(expression, f"{field.name} {part!r} is not '*', N, N-M or a '/step'")
        span, step = match.groups()
        if step is not None and int(step) == 0:
            raise _bad(expression, f"{field.name} step must be at least 1")
        if span == "*":
            continue
        bounds = [_value(expression, field, value) for value in span.split("-")]
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            raise _bad(expression, f"{field.name} range {span} runs backwards")


def normalize_cron(expression: str) -> str:
    """The expression with single spaces, shortcuts expanded; raise InvalidInputError if bad."""
    text = " ".join(expression.split())
    if not text:
        raise _bad(expression, "it is empty; write five fields, e.g. '0 6 * * *' (06:00 daily)")
    if text.startswith("@"):
        if text.lower() not in SHORTCUTS:
            raise _bad(expression, f"use one of {', '.join(SHORTCUTS)} or five fields")
        return text.lower()
    fields = text.split(" ")
    if len(fields) != 5:
        raise _bad(
            expression,
            f"it has {len(fields)} field(s); write five: minute hour day-of-month month "
            "day-of-week, e.g. '0 6 * * *'",
        )
    for field, part in zip(_FIELDS, fields, strict=True):
        _check_field(expression, field, part)
    from croniter import croniter

    if not croniter.is_valid(_expanded(text)):
        raise _bad(expression, "croniter cannot read it")
    return text


def _expanded(expression: str) -> str:
    return SHORTCUTS.get(expression, expression)


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(
            f"Unknown time zone {name!r}: use an IANA name such as 'UTC' or 'Europe/Berlin'.",
            code="schedule.bad_timezone",
        ) from exc


def next_runs(expression: str, timezone: str, after: datetime, count: int = 1) -> list[datetime]:
    """The next ``count`` fire times strictly after ``after``, in UTC."""
    from croniter import croniter

    cron = normalize_cron(expression)
    if not 1 <= count <= MAX_PREVIEW:
        raise InvalidInputError(
            f"Ask for 1 to {MAX_PREVIEW} run times, not {count}.", code="schedule.bad_count"
        )
    zone = check_timezone(timezone)
    iterator = croniter(_expanded(cron), after.astimezone(zone))
    return [iterator.get_next(datetime).astimezone(UTC) for _ in range(count)]


class Schedule(Entity):
    """A cron schedule that starts a job (a batch scoring run) each time it fires."""

    id: int
    workspace_id: int
    name: str
    cron: str = Field(description="Five-field cron expression or a shortcut such as @daily.")
    timezone: str = Field(description="IANA time zone the cron expression is read in.")
    kind: ScheduleKind
    params: dict[str, Any] = Field(
        description="batch_scoring: model_version_id, dataset_version_id, format (csv|parquet)."
    )
    is_enabled: bool
    next_run_at: datetime | None = Field(description="UTC; None while disabled.")
    last_run_at: datetime | None
    last_job_id: int | None
    last_error: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


__all__ = [
    "Schedule",
    "MAX_PREVIEW",
    "ScheduleKind",
    "check_timezone",
    "next_runs",
    "normalize_cron",
]
