"""Time-series decomposition of a numeric column along a datetime column.

The values are averaged per regular period (exact, in DuckDB over the whole table; the
period is the shortest of hour, day, week, month, quarter, year that gives at most
``MAX_PERIODS`` points), empty periods are interpolated, then split additively
(classical decomposition, as ``statsmodels.seasonal_decompose``):

- trend: centred moving average over one season (a 2 x m average for an even season m);
- seasonal: the mean detrended value at each position in the season, centred on zero;
- residual: observed - trend - seasonal.

Seasons: 24 hours, 7 days, 52 weeks, 12 months, 4 quarters. With fewer than two full
seasons there is no seasonal part and the trend is a moving average over a tenth of the
series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from modelyard.profiling.models import TimeSeriesDecomposition
from modelyard.profiling.source import Source

MAX_PERIODS = 400
MIN_PERIODS = 8


@dataclass(frozen=True)
class _Frequency:
    name: str
    interval: str
    seconds: float
    season: int


_FREQUENCIES = (
    _Frequency("hour", "1 hour", 3_600, 24),
    _Frequency("day", "1 day", 86_400, 7),
    _Frequency("week", "7 days", 604_800, 52),
    _Frequency("month", "1 month", 2_629_746, 12),
    _Frequency("quarter", "3 months", 7_889_238, 4),
    _Frequency("year", "1 year", 31_556_952, 1),
)


def decompose_series(
    source: Source,
    *,
    time: tuple[str, str],
    value: tuple[str, str],
    span_s: float,
) -> TimeSeriesDecomposition | None:
    """Decompose ``value`` = (name, SQL) along ``time`` = (name, SQL of a TIMESTAMP)."""
    frequency = next((f for f in _FREQUENCIES if span_s / f.seconds <= MAX_PERIODS), None)
    if frequency is None or span_s / frequency.seconds < MIN_PERIODS - 1:
        return None
    relation = source.relation([time[0], value[0]])
    rows = _series(source, relation, (time[1], value[1]), frequency.interval)
    if len(rows) < MIN_PERIODS:
        return None
    observed = np.array([np.nan if y is None else float(y) for _, y in rows])
    if np.isnan(observed).all():
        return None
    season = frequency.season if len(observed) >= 2 * frequency.season else 1
    trend, seasonal, residual = decompose(observed, season)
    return TimeSeriesDecomposition(
        time_column=time[0],
        value_column=value[0],
        frequency=frequency.name,
        period=season,
        timestamps=[_label(bucket, frequency) for bucket, _ in rows],
        observed=_listed(observed),
        trend=_listed(trend),
        seasonal=_listed(seasonal),
        residual=_listed(residual),
    )


def _label(bucket: Any, frequency: _Frequency) -> str:
    if frequency.name == "hour":
        return str(bucket.isoformat(timespec="minutes"))
    return str(bucket.date().isoformat())


def _series(
    source: Source, relation: str, sql: tuple[str, str], interval: str
) -> list[tuple[Any, Any]]:
    ts, y = sql
    return source.con.execute(
        f"WITH b AS (SELECT time_bucket(INTERVAL '{interval}', {ts}) AS bucket, "
        f"avg({y}) AS y FROM {relation} WHERE {ts} IS NOT NULL GROUP BY 1), "
        "g AS (SELECT generate_series AS bucket FROM generate_series("
        f"(SELECT min(bucket) FROM b), (SELECT max(bucket) FROM b), INTERVAL '{interval}')) "
        "SELECT g.bucket, b.y FROM g LEFT JOIN b USING (bucket) ORDER BY 1"
    ).fetchall()


def decompose(observed: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trend, seasonal and residual parts of ``observed`` (NaN gaps interpolated)."""
    y = _interpolate(observed)
    window = season if season >= 2 else max(3, len(y) // 10)
    trend = _centred_average(y, window)
    seasonal = np.zeros_like(y)
    if season >= 2:
        detrended = y - trend
        means = np.array([np.nanmean(detrended[k::season]) for k in range(season)])
        means -= np.nanmean(means)
        seasonal = np.resize(means, len(y))
    residual = y - trend - seasonal
    residual[np.isnan(observed)] = np.nan
    return trend, seasonal, residual


def _interpolate(values: np.ndarray) -> np.ndarray:
    known = ~np.isnan(values)
    positions = np.arange(len(values))
    return np.interp(positions, positions[known], values[known])


def _centred_average(y: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average; a 2 x window average when the window is even. NaN at edges."""
    weights = np.ones(window) / window
    if window % 2 == 0:
        weights = np.convolve(weights, [0.5, 0.5])
    half = len(weights) // 2
    out = np.full(len(y), np.nan)
    if len(y) >= len(weights):
        out[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    return out


def _listed(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else round(float(v), 6) for v in values]
