"""Exact numeric statistics in DuckDB: moments, quantiles, histograms, box plots, outliers.

Two grouped passes over the numeric and datetime columns (``longform.py``; chunked to
bound memory: exact quantiles keep every value of a column while they run):

1. count, mean, standard deviation (sample), min, max and the quantiles
   p1, p5, p25, p50, p75, p95, p99 (``quantile_cont``: linear interpolation, as numpy).
2. Equal-width histogram bins (left-closed, the maximum in the last bin), the Tukey fences
   ``q1 - 1.5 IQR`` / ``q3 + 1.5 IQR`` with the count of values outside them and the
   whiskers, and the count of values with ``|x - mean| / std > 3`` (z-score outliers).

Only finite values enter; datetimes are measured in seconds since 1970-01-01.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from modelyard.profiling.longform import Family, chunks, long_relation
from modelyard.profiling.models import BoxPlot, Histogram, Outliers, finite
from modelyard.profiling.source import Source

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
QUANTILE_LABELS = tuple(f"p{round(q * 100):02d}" for q in QUANTILES)
Z_THRESHOLD = 3.0
IQR_FACTOR = 1.5
MAX_BINS = 40


@dataclass(frozen=True)
class NumericColumn:
    """A column to measure: its values are ``template.format(v=...)`` over its ``family``."""

    name: str
    family: Family
    template: str
    is_datetime: bool = False
    is_integer: bool = False


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    std: float | None
    minimum: float | None
    maximum: float | None
    quantiles: dict[str, float | None]


@dataclass(frozen=True)
class Distribution:
    histogram: Histogram | None
    box: BoxPlot | None
    outliers: Outliers | None


_EMPTY = Summary(0, None, None, None, None, dict.fromkeys(QUANTILE_LABELS))


def _groups(
    source: Source, columns: Sequence[NumericColumn]
) -> Iterator[tuple[list[NumericColumn], str]]:
    """Chunks of columns read the same way, each with its long relation (built lazily)."""
    same: dict[tuple[str, str], list[NumericColumn]] = defaultdict(list)
    for column in columns:
        same[(column.family, column.template)].append(column)
    for members in same.values():
        by_name = {c.name: c for c in members}
        for names in chunks(source, list(by_name)):
            yield [by_name[n] for n in names], long_relation(source, names, members[0].family)


def summarise(source: Source, columns: Sequence[NumericColumn]) -> dict[str, Summary]:
    """Pass 1 for every column in ``columns``."""
    out = {c.name: _EMPTY for c in columns}
    quantiles = ", ".join(str(q) for q in QUANTILES)
    for chunk, relation in _groups(source, columns):
        x = chunk[0].template.format(v="v")
        rows = source.con.execute(
            "SELECT k, count(x), avg(x), stddev_samp(x), min(x), max(x), "
            f"quantile_cont(x, [{quantiles}]) FROM (SELECT k, {x} AS x FROM {relation}) "
            "GROUP BY k"
        ).fetchall()
        for k, count, mean, std, lo, hi, qs in rows:
            values = [finite(q) for q in (qs or [None] * len(QUANTILES))]
            out[chunk[k].name] = Summary(
                count=int(count),
                mean=finite(mean),
                std=finite(std),
                minimum=finite(lo),
                maximum=finite(hi),
                quantiles=dict(zip(QUANTILE_LABELS, values, strict=True)),
            )
    return out


def bin_edges(summary: Summary, *, is_integer: bool) -> list[float]:
    """Equal-width edges: one bin per integer for small integer ranges, else up to 40 bins."""
    lo, hi = summary.minimum, summary.maximum
    if lo is None or hi is None:
        return []
    if hi <= lo:
        return [lo - 0.5, hi + 0.5]
    if is_integer and hi - lo <= MAX_BINS:
        return [lo - 0.5 + i for i in range(int(hi - lo) + 2)]
    bins = min(MAX_BINS, max(5, int(math.sqrt(max(summary.count, 1)))))
    width = (hi - lo) / bins
    return [lo + i * width for i in range(bins)] + [hi]


def _fences(summary: Summary) -> tuple[float, float] | None:
    q1, q3 = summary.quantiles["p25"], summary.quantiles["p75"]
    if q1 is None or q3 is None:
        return None
    iqr = q3 - q1
    return q1 - IQR_FACTOR * iqr, q3 + IQR_FACTOR * iqr


def _params(chunk: list[NumericColumn], summaries: dict[str, Summary]) -> pa.Table:
    """Per column number ``k``: histogram start, width and bins, fences, mean, z limit."""
    rows: dict[str, list[Any]] = defaultdict(list)
    for k, column in enumerate(chunk):
        summary = summaries[column.name]
        edges = bin_edges(summary, is_integer=column.is_integer) or [0.0, 1.0]
        fences = _fences(summary) or (None, None)
        std = summary.std or 0.0
        for key, value in (
            ("k", k),
            ("lo", edges[0]),
            ("width", edges[1] - edges[0]),
            ("bins", len(edges) - 1),
            ("flo", fences[0]),
            ("fhi", fences[1]),
            ("mean", summary.mean),
            ("zl", Z_THRESHOLD * std if std > 0 else None),
        ):
            rows[key].append(value)
    types = {"k": pa.int32(), "bins": pa.int64()}
    return pa.table({key: pa.array(v, types.get(key, pa.float64())) for key, v in rows.items()})


def distribute(
    source: Source, columns: Sequence[NumericColumn], summaries: dict[str, Summary]
) -> dict[str, Distribution]:
    """Pass 2: histograms for all; box plots and outliers for the non-datetime columns."""
    out: dict[str, Distribution] = {}
    present = [c for c in columns if summaries[c.name].count]
    for chunk, relation in _groups(source, present):
        source.con.register("params", _params(chunk, summaries))
        x = chunk[0].template.format(v="v")
        rows = source.con.execute(
            "SELECT k, bin, count(*), count_if(x < flo OR x > fhi), "
            "min(CASE WHEN x >= flo THEN x END), max(CASE WHEN x <= fhi THEN x END), "
            "count_if(abs(x - mean) > zl) FROM (SELECT k, x, flo, fhi, mean, zl, "
            "least(greatest(CAST(floor((x - lo) / width) AS BIGINT), 0), bins - 1) AS bin "
            f"FROM (SELECT k, {x} AS x FROM {relation}) JOIN params USING (k) "
            "WHERE x IS NOT NULL) GROUP BY k, bin"
        ).fetchall()
        per_column: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            per_column[row[0]].append(row[1:])
        for k, column in enumerate(chunk):
            out[column.name] = _distribution(column, summaries[column.name], per_column[k])
    return out


def _distribution(
    column: NumericColumn, summary: Summary, bins: list[tuple[Any, ...]]
) -> Distribution:
    edges = bin_edges(summary, is_integer=column.is_integer)
    counts = [0] * (len(edges) - 1)
    for index, n, *_ in bins:
        counts[index] += int(n)
    labels = [_iso(e) for e in edges] if column.is_datetime else []
    histogram = Histogram(edges=edges, counts=counts, labels=labels)
    fences = _fences(summary)
    if column.is_datetime or fences is None:
        return Distribution(histogram, None, None)
    iqr_count = sum(int(b[2]) for b in bins)
    lows = [b[3] for b in bins if b[3] is not None]
    highs = [b[4] for b in bins if b[4] is not None]
    q = summary.quantiles
    box = BoxPlot(
        q1=_or(q["p25"], 0.0),
        median=_or(q["p50"], 0.0),
        q3=_or(q["p75"], 0.0),
        lower_whisker=min(lows) if lows else fences[0],
        upper_whisker=max(highs) if highs else fences[1],
        lower_fence=fences[0],
        upper_fence=fences[1],
    )
    outliers = Outliers(
        iqr_count=iqr_count,
        iqr_lower=fences[0],
        iqr_upper=fences[1],
        z_count=sum(int(b[5]) for b in bins),
        z_threshold=Z_THRESHOLD,
        share=iqr_count / summary.count if summary.count else 0.0,
    )
    return Distribution(histogram, box, outliers)


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _iso(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""
