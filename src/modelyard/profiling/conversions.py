"""Type conversions for the fix-types step, with the same parsing rules as the profile.

Numbers and dates are parsed with DuckDB's ``TRY_CAST`` after trimming spaces (the rule
the profile used to call a column "numbers stored as text"); values that do not convert
become missing. Flags read true/yes/y/t/1 and false/no/n/f/0, in any letter case.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modelyard.profiling.steps import TypeTarget

_SQL_TYPES = {"numeric": "DOUBLE", "integer": "BIGINT", "datetime": "TIMESTAMP"}
_TRUE = ["true", "yes", "y", "t", "1", "1.0"]
_FALSE = ["false", "no", "n", "f", "0", "0.0"]


def is_numeric_type(dtype: pa.DataType) -> bool:
    return (
        pa.types.is_integer(dtype)
        or pa.types.is_floating(dtype)
        or pa.types.is_decimal(dtype)
        or pa.types.is_boolean(dtype)
    )


def standardise(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(matrix - centre) / scale`` per column (NaN kept), with the centre and scale used.

    Columns with no values get centre 0; constant or empty columns get scale 1.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nan_to_num(np.nanmean(matrix, axis=0))
        scale = np.nan_to_num(np.nanstd(matrix, axis=0), nan=1.0)
    scale[scale == 0] = 1.0
    return (matrix - centre) / scale, centre, scale


def convert_column(column: pa.ChunkedArray, to: TypeTarget) -> pa.ChunkedArray:
    """``column`` converted to ``to``; what does not convert becomes missing."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if to == "text":
        return column.cast(pa.string())
    if to == "boolean":
        return _to_boolean(column)
    if to == "integer" and pa.types.is_floating(column.type):
        column = pc.round(column)
    return _try_cast(column, _SQL_TYPES[to])


def _to_boolean(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_boolean(column.type):
        return column
    text = pc.utf8_lower(pc.utf8_trim_whitespace(column.cast(pa.string())))
    is_true = pc.is_in(text, value_set=pa.array(_TRUE))
    is_false = pc.is_in(text, value_set=pa.array(_FALSE))
    return pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))


def _try_cast(column: pa.ChunkedArray, sql_type: str) -> pa.ChunkedArray:
    source = pa.table({"v": column})
    value = "trim(v)" if _is_text(column.type) else "v"
    con = duckdb.connect()
    try:
        con.register("source", source)
        result = con.sql(f"SELECT TRY_CAST({value} AS {sql_type}) AS v FROM source")
        return result.to_arrow_table().column("v")
    finally:
        con.close()


def _is_text(dtype: pa.DataType) -> bool:
    return pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
