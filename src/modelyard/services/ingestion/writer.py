"""Writing checked Arrow batches to one Parquet file, and what we learn on the way."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from modelyard.errors import InvalidInputError

PARQUET_MAGIC = b"PAR1"
MAX_COLUMNS = 20_000


@dataclass(frozen=True)
class Written:
    n_rows: int
    schema: pa.Schema
    null_counts: dict[str, int]


@dataclass(frozen=True)
class ParquetFile:
    path: Path
    content_hash: str
    n_rows: int
    schema: pa.Schema
    null_counts: dict[str, int]
    size_bytes: int


def check_columns(names: list[str], filename: str) -> None:
    """Every column has a name, no name repeats, and there are not absurdly many."""
    if not names:
        raise InvalidInputError(f"{filename} has no columns.", code="dataset.no_columns")
    if len(names) > MAX_COLUMNS:
        raise InvalidInputError(
            f"{filename} has {len(names):,} columns; at most {MAX_COLUMNS:,} are supported.",
            code="dataset.too_many_columns",
        )
    blank = [i + 1 for i, n in enumerate(names) if not str(n).strip()]
    if blank:
        raise InvalidInputError(
            f"{filename}: column(s) {blank[:20]} have no name; give every column a header.",
            code="dataset.empty_column_name",
        )
    seen: set[str] = set()
    repeated = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if repeated:
        raise InvalidInputError(
            f"{filename}: column names must be unique; repeated: {', '.join(repeated[:20])}.",
            code="dataset.duplicate_columns",
        )


def write_batches(batches: Iterable[pa.RecordBatch], schema: pa.Schema, out: Path) -> Written:
    n_rows = 0
    nulls = dict.fromkeys(schema.names, 0)
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            writer.write_batch(batch)
            n_rows += batch.num_rows
            for name, column in zip(schema.names, batch.columns, strict=True):
                nulls[name] += column.null_count
    return Written(n_rows=n_rows, schema=schema, null_counts=nulls)


def write_table(table: pa.Table, filename: str, out: Path) -> Written:
    check_columns(table.column_names, filename)
    return write_batches(table.to_batches(max_chunksize=65536), table.schema, out)


def copy_parquet(source: Path, filename: str, out: Path) -> Written:
    try:
        parquet = pq.ParquetFile(source)
        check_columns(parquet.schema_arrow.names, filename)
        return write_batches(parquet.iter_batches(batch_size=65536), parquet.schema_arrow, out)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInputError(
            f"{filename} is not a valid Parquet file: {str(exc).splitlines()[0]}",
            code="dataset.unreadable",
        ) from exc


def finish(out: Path, filename: str, written: Written) -> ParquetFile:
    if written.n_rows == 0:
        raise InvalidInputError(
            f"{filename} has column names but no rows of data.", code="dataset.no_rows"
        )
    return ParquetFile(
        path=out,
        content_hash=sha256(out),
        n_rows=written.n_rows,
        schema=written.schema,
        null_counts=written.null_counts,
        size_bytes=out.stat().st_size,
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def column_kind(dtype: pa.DataType) -> str:
    """The storage kind of an Arrow type; profiling refines it (identifier, text, constant)."""
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "numeric"
    if pa.types.is_temporal(dtype):
        return "datetime"
    return "categorical"
