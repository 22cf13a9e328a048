"""Columns as one long relation ``(k, v)``: column number and value, for grouped statistics.

Every statistic is one ``GROUP BY k`` query over a chunk of columns of the same family,
whatever the table's shape. A long table (1M rows) gets chunks of one to a few columns;
a wide one (10,000 columns x 20 rows) gets thousands of columns per query. A query that
names thousands of columns would spend seconds in DuckDB's planner; this one names two.

For an Arrow table the long relation is built in Arrow (a cast and a concatenation); for
a Parquet file it is a DuckDB projection of one column, so the file is streamed, never
loaded. Types Arrow cannot cast fall back to a DuckDB ``UNPIVOT``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

import numpy as np
import pyarrow as pa

from modelyard.profiling.source import Source, quote

Family = Literal["boolean", "integer", "float", "temporal", "string"]
CELLS_PER_QUERY = 3_000_000

_ARROW_TYPES: dict[str, pa.DataType] = {
    "boolean": pa.bool_(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "temporal": pa.timestamp("us"),
    "string": pa.string(),
}
_SQL_TYPES = {
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
    "float": "DOUBLE",
    "temporal": "TIMESTAMP",
    "string": "VARCHAR",
}


def family_of(dtype: pa.DataType) -> Family:
    """How a column's Arrow type is handled (anything unusual is read as text)."""
    if pa.types.is_dictionary(dtype):
        return family_of(dtype.value_type)
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "float"
    if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
        return "temporal"
    return "string"


def chunks(source: Source, names: Sequence[str]) -> Iterator[list[str]]:
    """``names`` in chunks that keep each query near ``CELLS_PER_QUERY`` values.

    A Parquet file is read one column per query: DuckDB streams it, and keeps its
    dictionary-encoded text as dictionaries (small files are read into memory instead,
    see ``source.py``).
    """
    size = max(1, CELLS_PER_QUERY // max(1, source.n_rows)) if source.table is not None else 1
    for start in range(0, len(names), size):
        yield list(names[start : start + size])


def long_relation(source: Source, names: Sequence[str], family: Family) -> str:
    """SQL for a relation ``(k INTEGER, v)``: column ``names[k]``'s values as ``family``."""
    if source.table is not None:
        try:
            arrays = [_arrow_values(source.table.column(n), family) for n in names]
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
            pass  # an unusual type: DuckDB's casts below know more types
        else:
            keys = np.repeat(np.arange(len(names), dtype=np.int32), source.n_rows)
            long = pa.table({"k": keys, "v": pa.concat_arrays(arrays)})
            source.con.register("long", long)
            return "long"
    sql_type = _SQL_TYPES[family]
    relation = source.relation(names)
    if len(names) == 1:
        return f"(SELECT 0 AS k, TRY_CAST({quote(names[0])} AS {sql_type}) AS v FROM {relation})"
    select = ", ".join(
        f'TRY_CAST({quote(name)} AS {sql_type}) AS "{i}"' for i, name in enumerate(names)
    )
    return (
        f"(SELECT CAST(k AS INTEGER) AS k, v FROM (UNPIVOT (SELECT {select} FROM {relation}) "
        "ON COLUMNS(*) INTO NAME k VALUE v))"
    )


def _arrow_values(column: pa.ChunkedArray, family: Family) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.cast(_ARROW_TYPES[family]).combine_chunks()
