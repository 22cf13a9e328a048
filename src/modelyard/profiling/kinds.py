"""Semantic kind of a column, with the reason a user can read.

Rules, first match wins:

1. ``constant``: no value, or a single distinct value.
2. ``boolean``: a boolean type, or exactly two values that read as a flag
   (0/1, true/false, yes/no, y/n, t/f).
3. ``datetime``: a date or timestamp type, or text where at least 90% of values parse as
   dates (ISO formats) and fewer parse as numbers.
4. ``numeric``: floating-point numbers, or text where at least 90% of values parse as
   numbers ("numbers stored as text").
5. ``identifier``: integers or short text where (nearly) every value is unique
   (at least 95% distinct over at least 20 values) and either the name looks like an id
   (a word ``id``, ``key``, ``uuid``, ``guid``: ``user_id``, ``customerId``) or, for
   integers, the values form a near-consecutive range; for text, short unique values
   (codes) are enough.
6. ``integer``: other integers.
7. ``text``: free text, values of 30+ characters or 5+ words on average, with at least
   ``MIN_TEXT_DISTINCT`` distinct values or half of them distinct.
8. ``categorical``: everything else.
"""

from __future__ import annotations

import re

from modelyard.profiling.models import ColumnKind
from modelyard.profiling.scan import RawColumn

PARSE_SHARE = 0.9
UNIQUE_SHARE = 0.95
MIN_ID_VALUES = 20
MIN_TEXT_DISTINCT = 500
_FLAG_VALUES = {"0", "1", "0.0", "1.0", "true", "false", "yes", "no", "y", "n", "t", "f"}
_ID_WORDS = {"id", "key", "uuid", "guid", "identifier"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def infer_kind(raw: RawColumn) -> tuple[ColumnKind, str]:
    """The semantic kind of a column and why."""
    for rule in (_constant, _boolean, _datetime, _numeric, _identifier):
        found = rule(raw)
        if found is not None:
            return found
    if raw.family == "integer":
        return "integer", f"whole numbers with {raw.distinct:,} distinct values"
    return _text_or_categorical(raw)


def _constant(raw: RawColumn) -> tuple[ColumnKind, str] | None:
    if raw.count == 0:
        return "constant", "every value is missing"
    if raw.distinct <= 1:
        value = raw.top[0][0] if raw.top else "?"
        return "constant", f"a single value ('{value[:40]}') in every non-missing row"
    return None


def _boolean(raw: RawColumn) -> tuple[ColumnKind, str] | None:
    if raw.family == "boolean":
        return "boolean", "true/false values"
    values = {value.strip().lower() for value, _ in raw.top}
    if raw.distinct == 2 and values <= _FLAG_VALUES:
        return "boolean", f"two values that read as a flag ({', '.join(sorted(values))})"
    return None


def _datetime(raw: RawColumn) -> tuple[ColumnKind, str] | None:
    if raw.family == "temporal":
        return "datetime", f"a {raw.dtype} column"
    if raw.family == "string" and raw.count:
        share = raw.datetime_parsed / raw.count
        if share >= PARSE_SHARE and raw.numeric_parsed < raw.datetime_parsed:
            return "datetime", f"text where {share:.0%} of values parse as dates"
    return None


def _numeric(raw: RawColumn) -> tuple[ColumnKind, str] | None:
    if raw.family == "float":
        return "numeric", f"numbers with {raw.distinct:,} distinct values"
    if raw.family == "string" and raw.count:
        share = raw.numeric_parsed / raw.count
        if share >= PARSE_SHARE:
            return "numeric", f"text where {share:.0%} of values parse as numbers"
    return None


def _identifier(raw: RawColumn) -> tuple[ColumnKind, str] | None:
    if raw.family not in ("integer", "string") or raw.count < MIN_ID_VALUES:
        return None
    share = raw.distinct / raw.count
    if share < UNIQUE_SHARE:
        return None
    unique = f"{share:.0%} of values are distinct"
    if _looks_like_id(raw.name):
        return "identifier", f"{unique} and the name looks like an identifier"
    if raw.family == "integer":
        span = float(raw.maximum) - float(raw.minimum) + 1
        if span <= 1.5 * raw.distinct:
            return "identifier", f"{unique} and they form a near-consecutive range"
        return None
    text = raw.text
    if text is not None and (text.mean_words or 1) < 3 and (text.mean_length or 0) < 40:
        return "identifier", f"{unique} and values are short codes"
    return None


def _text_or_categorical(raw: RawColumn) -> tuple[ColumnKind, str]:
    text = raw.text
    share = raw.distinct / raw.count if raw.count else 0.0
    if text is not None and (share >= 0.5 or raw.distinct >= MIN_TEXT_DISTINCT):
        if (text.mean_length or 0) >= 30 or (text.mean_words or 0) >= 5:
            return "text", (
                f"free text: {text.mean_length:.0f} characters and "
                f"{text.mean_words:.1f} words on average, {share:.0%} distinct"
            )
    return "categorical", f"{raw.distinct:,} distinct values"


def _looks_like_id(name: str) -> bool:
    return any(word.lower() in _ID_WORDS for word in _WORD.findall(name))
