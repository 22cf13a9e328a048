"""First pass over every column: counts, lengths, parse rates, top values, distinct counts.

All aggregates run in DuckDB over the whole table (no sampling), as grouped queries over
the long form of chunks of columns (``longform.py``). Floating-point NaN counts as
missing; infinities are counted apart (invalid values).

Distinct counts are exact (a full group-by) except for high-cardinality columns of large
tables (more than 100,000 values, at least half of them distinct by DuckDB's HyperLogLog
``approx_count_distinct``, which is within a few percent): there the estimate is kept, and
no top values or mode are reported, since nearly every value is unique.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from modelyard.profiling.longform import Family, chunks, family_of, long_relation
from modelyard.profiling.models import TextLengths
from modelyard.profiling.source import Source

_TOP_K = 10
LARGE = 100_000
HIGH_CARDINALITY = 0.5
_EMPTY: tuple[Any, ...] = (0, 0, None, None, None, None, None, None, 0, 0)


@dataclass(frozen=True)
class RawColumn:
    """What the first pass learnt about one column."""

    name: str
    dtype: pa.DataType
    family: Family
    n_rows: int
    count: int
    infinite: int
    distinct: int
    distinct_is_exact: bool
    top: list[tuple[str, int]]
    minimum: Any
    maximum: Any
    text: TextLengths | None
    numeric_parsed: int
    datetime_parsed: int


def by_family(source: Source, names: list[str] | None = None) -> dict[Family, list[str]]:
    """Column names grouped by family, in table order."""
    groups: dict[Family, list[str]] = defaultdict(list)
    wanted = None if names is None else set(names)
    for field in source.schema:
        if wanted is None or field.name in wanted:
            groups[family_of(field.type)].append(field.name)
    return groups


def scan_columns(source: Source, progress: Callable[[float], None]) -> list[RawColumn]:
    """A ``RawColumn`` for every column of ``source``; ``progress`` gets 0..1 as chunks end."""
    basics: dict[str, tuple[Any, ...]] = {}
    total = max(1, len(source.schema))
    for family, names in by_family(source).items():
        for chunk in chunks(source, names):
            basics.update(_basic_chunk(source, chunk, family))
            progress(0.5 * len(basics) / total)
    exact = [
        f.name for f in source.schema if not _high_cardinality(*basics.get(f.name, _EMPTY)[:2])
    ]
    tops = _top_values(source, exact, lambda done: progress(0.5 + 0.5 * done / total))
    return [
        _raw(f, family_of(f.type), source.n_rows, basics.get(f.name, _EMPTY), tops.get(f.name))
        for f in source.schema
    ]


def _high_cardinality(count: int, approx_distinct: int) -> bool:
    return count > LARGE and approx_distinct >= HIGH_CARDINALITY * count


def _aggregates(family: Family) -> tuple[str, list[str]]:
    """The projection of long values ``v`` and the first-pass aggregates for ``family``."""
    if family == "float":
        value = "CASE WHEN isnan(v) THEN NULL ELSE v END AS x"
    else:
        value = "v AS x"
    parts = ["count(x)", "approx_count_distinct(x)", "min(x)", "max(x)"]
    if family == "float":
        parts.append("count_if(isinf(x))")
    return value, parts


_TEXT_SQL = (
    "SELECT k, sum(n), count(*), min(v), max(v), min(length(v)), "
    "sum(length(v) * n) / sum(n), max(length(v)), "
    "sum((length(w) - length(replace(w, ' ', '')) + 1) * n) / sum(n), "
    "sum(CASE WHEN TRY_CAST(w AS DOUBLE) IS NOT NULL THEN n ELSE 0 END), "
    "sum(CASE WHEN TRY_CAST(w AS TIMESTAMP) IS NOT NULL THEN n ELSE 0 END) "
    "FROM (SELECT k, v, trim(v) AS w, n FROM "
    "(SELECT k, v, count(*) AS n FROM {relation} WHERE v IS NOT NULL GROUP BY k, v)) GROUP BY k"
)


def _basic_chunk(source: Source, names: list[str], family: Family) -> dict[str, tuple[Any, ...]]:
    relation = long_relation(source, names, family)
    if family == "string":  # text functions run once per distinct value, weighted by count
        query = _TEXT_SQL.format(relation=relation)
    else:
        value, parts = _aggregates(family)
        query = f"SELECT k, {', '.join(parts)} FROM (SELECT k, {value} FROM {relation}) GROUP BY k"
    rows = source.con.execute(query).fetchall()
    return {names[row[0]]: tuple(row[1:]) for row in rows}


def _top_values(
    source: Source, names: list[str], progress: Callable[[int], None]
) -> dict[str, tuple[list[tuple[str, int]], int]]:
    """Most frequent values (ties by value) and the exact number of distinct values."""
    out: dict[str, tuple[list[tuple[str, int]], int]] = {n: ([], 0) for n in names}
    done = 0
    for family, members in by_family(source, names).items():
        value = "CASE WHEN isnan(v) THEN NULL ELSE v END" if family == "float" else "v"
        for chunk in chunks(source, members):
            relation = long_relation(source, chunk, family)
            rows = source.con.execute(
                "SELECT k, CAST(value AS VARCHAR), n, groups FROM (SELECT k, value, n, "
                "count(*) OVER (PARTITION BY k) AS groups, "
                "row_number() OVER (PARTITION BY k ORDER BY n DESC, value) AS rank FROM "
                f"(SELECT k, {value} AS value, count(*) AS n FROM {relation} "
                f"WHERE {value} IS NOT NULL GROUP BY ALL)) WHERE rank <= {_TOP_K} ORDER BY k, rank"
            ).fetchall()
            for k, text, n, groups in rows:
                name = chunk[k]
                out[name] = ([*out[name][0], (str(text), int(n))], int(groups))
            done += len(chunk)
            progress(done)
    return out


def _raw(
    field: pa.Field,
    family: Family,
    n_rows: int,
    basic: tuple[Any, ...],
    top: tuple[list[tuple[str, int]], int] | None,
) -> RawColumn:
    count, approx, minimum, maximum = basic[:4]
    text = None
    numeric_parsed = datetime_parsed = 0
    if family == "string":
        min_len, mean_len, max_len, words, numeric_parsed, datetime_parsed = basic[4:10]
        text = TextLengths(
            min_length=min_len,
            mean_length=None if mean_len is None else round(float(mean_len), 2),
            max_length=max_len,
            mean_words=None if words is None else round(float(words), 2),
        )
    return RawColumn(
        name=field.name,
        dtype=field.type,
        family=family,
        n_rows=n_rows,
        count=int(count or 0),
        infinite=int(basic[4] or 0) if family == "float" else 0,
        distinct=top[1] if top is not None else int(approx or 0),
        distinct_is_exact=top is not None,
        top=top[0] if top is not None else [],
        minimum=minimum,
        maximum=maximum,
        text=text,
        numeric_parsed=int(numeric_parsed or 0),
        datetime_parsed=int(datetime_parsed or 0),
    )
