"""Checking prediction input against the training schema (pure: no pandas, no I/O).

Policy: every feature column must be present (null is allowed: the pipeline imputes it);
unknown fields are refused; numbers must be finite numbers, booleans true/false; a
categorical value may be text, a number or a boolean and is compared as text, so unseen
categories are accepted and encoded as "unknown".
"""

from __future__ import annotations

import math
from typing import Any

from modelyard.domain.entities import ColumnSchema
from modelyard.errors import InvalidInputError

MAX_RECORDS = 10_000
_MAX_PROBLEMS = 20


def _problem(value: Any, kind: str) -> str | None:
    if value is None:
        return None
    if kind in ("numeric", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number, got {type(value).__name__} {value!r}"[:200]
        if isinstance(value, float) and not math.isfinite(value):
            return f"expected a finite number, got {value!r}"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"[:200]
    if isinstance(value, dict | list):
        return f"expected a single value, got {type(value).__name__}"
    return None


def check_records(records: Any, columns: list[ColumnSchema]) -> list[dict[str, Any]]:
    """Return the records when they fit ``columns``; otherwise raise one error listing why."""
    if not isinstance(records, list) or not records:
        raise InvalidInputError(
            "Send 'records': a non-empty list of objects, one per row to predict.",
            code="predict.no_records",
        )
    if len(records) > MAX_RECORDS:
        raise InvalidInputError(
            f"At most {MAX_RECORDS} records per request; use a batch scoring job for more.",
            code="predict.too_many_records",
        )
    expected = {c.name: c.kind for c in columns}
    problems: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append({"record": index, "error": "not an object"})
            continue
        missing = [name for name in expected if name not in record]
        extra = [name for name in record if name not in expected]
        if missing:
            problems.append({"record": index, "missing": missing})
        if extra:
            problems.append({"record": index, "unexpected": extra})
        for name, kind in expected.items():
            issue = _problem(record.get(name), kind)
            if issue:
                problems.append({"record": index, "field": name, "error": issue})
        if len(problems) >= _MAX_PROBLEMS:
            break
    if problems:
        first = problems[0]
        summary = (
            f"missing field(s) {', '.join(first['missing'])}"
            if "missing" in first
            else f"unknown field(s) {', '.join(first['unexpected'])}"
            if "unexpected" in first
            else f"field {first.get('field', '?')!r}: {first['error']}"
        )
        raise InvalidInputError(
            f"Record {first['record']} does not match the model's input schema: {summary}. "
            f"Expected fields: {', '.join(expected)}.",
            code="predict.schema_mismatch",
            details={"problems": problems[:_MAX_PROBLEMS], "expected": expected},
        )
    return records
