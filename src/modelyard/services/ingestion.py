"""Turning an uploaded file into a clean Parquet file, streamed in chunks.

The raw file is never trusted as-is: it is parsed, checked (columns, names, rows) and
rewritten as Parquet. What a user gets back from a bad file is a message that says what
was wrong and how to fix it.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from modelyard.errors import InvalidInputError

CSV_SUFFIXES = {".csv": None, ".tsv": "\t", ".txt": None}
PARQUET_SUFFIXES = {".parquet", ".pq"}
_BLOCK_BYTES = 16 << 20
_PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class ParquetFile:
    path: Path
    content_hash: str
    n_rows: int
    schema: pa.Schema
    null_counts: dict[str, int]
    size_bytes: int


def to_parquet(source: Path, filename: str, out_dir: Path) -> ParquetFile:
    """Convert ``source`` (named ``filename`` by the user) into a Parquet file in ``out_dir``."""
    suffix = Path(filename).suffix.lower()
    head = source.open("rb").read(64 * 1024)
    if not head.strip():
        raise InvalidInputError(f"{filename} is empty.", code="dataset.empty_file")
    out = out_dir / "data.parquet"
    if suffix in PARQUET_SUFFIXES or head[:4] == _PARQUET_MAGIC:
        n_rows, schema, nulls = _copy_parquet(source, filename, out)
    elif suffix in CSV_SUFFIXES or suffix == "":
        if b"\x00" in head:
            raise InvalidInputError(
                f"{filename} is not a text table (it contains binary data). Upload CSV, TSV "
                "or Parquet.",
                code="dataset.not_tabular",
            )
        delimiter = CSV_SUFFIXES.get(suffix) or _sniff_delimiter(head)
        n_rows, schema, nulls = _csv_to_parquet(source, filename, out, delimiter, _encoding(head))
    else:
        raise InvalidInputError(
            f"{filename}: files of type '{suffix}' are not supported. Upload CSV, TSV or Parquet.",
            code="dataset.unsupported_format",
        )
    if n_rows == 0:
        raise InvalidInputError(
            f"{filename} has column names but no rows of data.", code="dataset.no_rows"
        )
    return ParquetFile(
        path=out,
        content_hash=_sha256(out),
        n_rows=n_rows,
        schema=schema,
        null_counts=nulls,
        size_bytes=out.stat().st_size,
    )


def _encoding(head: bytes) -> str:
    """UTF-8 when the start of the file decodes as UTF-8, else Windows-1252 (Excel's export)."""
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _sniff_delimiter(head: bytes) -> str:
    sample = head.decode("utf-8", errors="replace")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _check_columns(names: list[str], filename: str) -> None:
    if not names:
        raise InvalidInputError(f"{filename} has no columns.", code="dataset.no_columns")
    blank = [i + 1 for i, n in enumerate(names) if not str(n).strip()]
    if blank:
        raise InvalidInputError(
            f"{filename}: column(s) {blank} have no name; give every column a header.",
            code="dataset.empty_column_name",
        )
    seen: set[str] = set()
    duplicates = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if duplicates:
        raise InvalidInputError(
            f"{filename}: column names must be unique; repeated: {', '.join(duplicates)}.",
            code="dataset.duplicate_columns",
        )


def _csv_to_parquet(
    source: Path, filename: str, out: Path, delimiter: str, encoding: str
) -> tuple[int, pa.Schema, dict[str, int]]:
    from pyarrow import csv as pacsv

    names = _read_header(source, delimiter, encoding)
    _check_columns(names, filename)
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=_BLOCK_BYTES, encoding=encoding),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
        )
        return _write_batches(reader, reader.schema, out)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InvalidInputError(_csv_message(filename, exc), code="dataset.unreadable") from exc


def _read_header(source: Path, delimiter: str, encoding: str) -> list[str]:
    with source.open(encoding=encoding, errors="replace", newline="") as fh:
        try:
            return next(csv.reader(fh, delimiter=delimiter))
        except StopIteration:
            return []


def _csv_message(filename: str, exc: Exception) -> str:
    text = str(exc).split("\n")[0]
    if "UTF8" in text or "utf-8" in text.lower():
        return (
            f"{filename} is not UTF-8 text. Save it as UTF-8 (CSV UTF-8 in Excel) and upload again."
        )
    if "Expected" in text and "columns" in text:
        return (
            f"{filename}: rows have different numbers of fields ({text}). "
            "Check the delimiter and quoting."
        )
    return f"{filename} could not be read as a table: {text}"


def _copy_parquet(source: Path, filename: str, out: Path) -> tuple[int, pa.Schema, dict[str, int]]:
    try:
        parquet = pq.ParquetFile(source)
        _check_columns(parquet.schema_arrow.names, filename)
        return _write_batches(parquet.iter_batches(batch_size=65536), parquet.schema_arrow, out)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInputError(
            f"{filename} is not a valid Parquet file: {str(exc).splitlines()[0]}",
            code="dataset.unreadable",
        ) from exc


def _write_batches(batches, schema: pa.Schema, out: Path) -> tuple[int, pa.Schema, dict[str, int]]:  # type: ignore[no-untyped-def]
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
    return n_rows, schema, nulls


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def column_kind(dtype: pa.DataType) -> str:
    """The modelling kind of an Arrow type (issue: richer inference later)."""
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "numeric"
    if pa.types.is_temporal(dtype):
        return "datetime"
    return "categorical"
