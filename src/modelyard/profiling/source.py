"""The data under a profile: a DuckDB view ``t`` over a Parquet file or an Arrow table.

DuckDB streams the Parquet file for exact aggregates without loading it; the seeded row
sample used by the expensive parts is read batch by batch, so memory stays near the size
of the sample.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from modelyard.errors import InvalidInputError

_MEMORY_LIMIT = "1GB"
_ROW_NUMBER = "file_row_number"
SMALL_ROWS = 100_000
SMALL_CELLS = 20_000_000


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Source:
    """An open connection with the view ``t``, and what is known without scanning."""

    con: duckdb.DuckDBPyConnection
    schema: pa.Schema
    n_rows: int
    memory_bytes: int
    path: Path | None
    table: pa.Table | None

    def relation(self, names: Sequence[str]) -> str:
        """The name to query ``names`` from: ``t``, or for an Arrow table a view of just them.

        DuckDB binds every column of a scanned Arrow table per query; a 10,000-column table
        would cost a second per query, so narrow views keep chunked queries cheap.
        """
        if self.table is None or len(names) >= len(self.schema):
            return "t"
        self.con.register("part", self.table.select(list(names)))
        return "part"

    def sample(self, size: int, seed: int) -> pa.Table:
        """``size`` rows drawn uniformly without replacement (seeded), in file order."""
        if size >= self.n_rows:
            return self.table if self.table is not None else pq.read_table(self.path)
        rng = np.random.default_rng(seed)
        indices = np.sort(rng.choice(self.n_rows, size=size, replace=False))
        if self.table is not None:
            return self.table.take(pa.array(indices))
        if _ROW_NUMBER in self.schema.names:
            return _take_from_parquet(Path(str(self.path)), indices, self.schema)
        self.con.register("sample_rows", pa.table({"i": indices}))
        try:
            return self.con.sql(
                f"SELECT * EXCLUDE ({_ROW_NUMBER}) FROM read_parquet("
                f"{literal(str(self.path))}, file_row_number = true) "
                f"WHERE {_ROW_NUMBER} IN (SELECT i FROM sample_rows) ORDER BY {_ROW_NUMBER}"
            ).to_arrow_table()
        finally:
            self.con.unregister("sample_rows")


@contextmanager
def open_source(source: Path | pa.Table) -> Iterator[Source]:
    """A ``Source`` for a Parquet path or an Arrow table; the connection closes afterwards."""
    con = duckdb.connect(config={"memory_limit": _MEMORY_LIMIT, "threads": _threads()})
    try:
        yield _open(con, source)
    finally:
        con.close()


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _open(con: duckdb.DuckDBPyConnection, source: Path | pa.Table) -> Source:
    if isinstance(source, pa.Table):
        con.register("t", source)
        return Source(con, source.schema, source.num_rows, source.nbytes, None, source)
    path = Path(source)
    if not path.is_file():
        raise InvalidInputError(f"No data file at {path}.", code="profile.no_source")
    try:
        meta = pq.ParquetFile(path).metadata
        if meta.num_rows <= SMALL_ROWS and meta.num_rows * meta.num_columns <= SMALL_CELLS:
            return _open(con, pq.read_table(path))  # small: many columns per query in memory
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInputError(
            f"{path.name} is not a readable Parquet file.", code="profile.unreadable"
        ) from exc
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({literal(str(path))})")
    memory = sum(
        meta.row_group(g).column(c).total_uncompressed_size
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    )
    return Source(con, meta.schema.to_arrow_schema(), meta.num_rows, memory, path, None)


def _take_from_parquet(path: Path, indices: np.ndarray, schema: pa.Schema) -> pa.Table:
    """The rows at ``indices``, read batch by batch (when DuckDB's row number is taken)."""
    parts: list[pa.Table] = []
    start = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=131_072):
        stop = start + batch.num_rows
        lo, hi = np.searchsorted(indices, [start, stop])
        if hi > lo:
            parts.append(pa.Table.from_batches([batch.take(pa.array(indices[lo:hi] - start))]))
        start = stop
    return pa.concat_tables(parts) if parts else schema.empty_table()
