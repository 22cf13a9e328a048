"""Per-column profiles: kinds from the first pass, then exact numeric statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from modelyard.profiling.kinds import infer_kind
from modelyard.profiling.models import ColumnKind, ColumnProfile, ValueCount
from modelyard.profiling.scan import RawColumn
from modelyard.profiling.source import Source
from modelyard.profiling.stats import (
    Distribution,
    NumericColumn,
    Summary,
    distribute,
    summarise,
)

_TRUE = {"1", "1.0", "true", "yes", "y", "t"}
_NO_SHAPE: set[ColumnKind] = {"identifier", "constant", "boolean"}


def numeric_column(raw: RawColumn, kind: ColumnKind) -> NumericColumn | None:
    """How to read a column as numbers (or datetimes as seconds), or None when it is not."""
    if raw.family in ("integer", "float"):
        is_integer = raw.family == "integer"
        return NumericColumn(
            raw.name, raw.family, _finite("CAST({v} AS DOUBLE)"), is_integer=is_integer
        )
    if raw.family == "temporal" or (raw.family == "string" and kind == "datetime"):
        template = f"epoch({timestamp_template(raw.family)})"
        return NumericColumn(raw.name, raw.family, template, is_datetime=True)
    if raw.family == "string" and kind == "numeric":
        return NumericColumn(raw.name, raw.family, _finite("TRY_CAST(trim({v}) AS DOUBLE)"))
    return None


def timestamp_template(family: str) -> str:
    """SQL template reading ``{v}`` (a date, timestamp or date-as-text) as a TIMESTAMP."""
    if family == "temporal":
        return "CAST({v} AS TIMESTAMP)"
    return "TRY_CAST(trim({v}) AS TIMESTAMP)"


def _finite(sql: str) -> str:
    return f"CASE WHEN isfinite({sql}) THEN {sql} END"


def profile_columns(
    source: Source, raws: list[RawColumn], progress: Callable[[float], None]
) -> list[ColumnProfile]:
    """Infer kinds, run the numeric passes and assemble a ``ColumnProfile`` per column."""
    kinds = {raw.name: infer_kind(raw) for raw in raws}
    numeric = {
        raw.name: col
        for raw in raws
        if raw.count and (col := numeric_column(raw, kinds[raw.name][0])) is not None
    }
    summaries = summarise(source, list(numeric.values()))
    progress(0.5)
    shaped = [col for name, col in numeric.items() if kinds[name][0] not in _NO_SHAPE]
    distributions = distribute(source, shaped, summaries)
    return [
        _profile(raw, *kinds[raw.name], summaries.get(raw.name), distributions.get(raw.name))
        for raw in raws
    ]


def _profile(
    raw: RawColumn,
    kind: ColumnKind,
    reason: str,
    summary: Summary | None,
    distribution: Distribution | None,
) -> ColumnProfile:
    n = raw.n_rows
    top = [ValueCount(value=v, count=c, share=c / raw.count) for v, c in raw.top]
    fields = _value_fields(raw, kind, summary)
    if kind == "boolean":
        fields["mean"] = sum(t.count for t in top if t.value.strip().lower() in _TRUE) / raw.count
    if distribution is not None:
        fields |= {
            "histogram": distribution.histogram,
            "box": distribution.box,
            "outliers": distribution.outliers,
        }
    unparsable = raw.count - raw.infinite - summary.count if summary is not None else 0
    return ColumnProfile(
        name=raw.name,
        dtype=str(raw.dtype),
        kind=kind,
        kind_reason=reason,
        count=raw.count,
        missing=n - raw.count,
        missing_share=(n - raw.count) / n if n else 0.0,
        distinct=raw.distinct,
        distinct_is_exact=raw.distinct_is_exact,
        distinct_share=raw.distinct / raw.count if raw.count else 0.0,
        infinite=raw.infinite,
        unparsable=max(0, unparsable),
        mode=top[0].value if top else None,
        top_values=top,
        text=raw.text,
        **fields,
    )


def _value_fields(raw: RawColumn, kind: ColumnKind, summary: Summary | None) -> dict[str, Any]:
    """Mean, spread, range and quantiles: of the numbers, or the range of the raw values."""
    if summary is None:
        return {"min": _text(raw.minimum), "max": _text(raw.maximum)} if raw.count else {}
    if kind == "datetime":
        return {"min": _iso(summary.minimum), "max": _iso(summary.maximum)}
    return {
        "mean": summary.mean,
        "std": summary.std,
        "min": summary.minimum,
        "max": summary.maximum,
        "median": summary.quantiles["p50"],
        "quantiles": summary.quantiles,
    }


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "")
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
