"""CSV, TSV and other delimited text, streamed block by block into Parquet."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from modelyard.errors import InvalidInputError
from modelyard.services.ingestion.writer import Written, check_columns, write_batches

_BLOCK_BYTES = 16 << 20
_TAB_SUFFIXES = {".tsv"}
_NUMBER = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")
_COMMA_DECIMAL = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    encoding: str
    decimal_point: str
    has_header: bool


def sniff(head: bytes, suffix: str) -> Dialect:
    """Delimiter, encoding, decimal separator and header, from the first 64 KiB."""
    encoding = _encoding(head)
    sample = head.decode(encoding, errors="replace")
    delimiter = "\t" if suffix in _TAB_SUFFIXES else _delimiter(sample)
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    decimal = (
        "," if delimiter != "," and any(_COMMA_DECIMAL.search(line) for line in lines[1:]) else "."
    )
    first = next(csv.reader(lines[:1], delimiter=delimiter), [])
    has_header = not first or not all(_NUMBER.match(cell) for cell in first if cell.strip())
    return Dialect(
        delimiter=delimiter, encoding=encoding, decimal_point=decimal, has_header=has_header
    )


def _encoding(head: bytes) -> str:
    """UTF-8 when the sample decodes as UTF-8, else Windows-1252 (Excel's CSV export)."""
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


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample[:32_768], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def delimited_to_parquet(
    source: Path, filename: str, out: Path, *, head: bytes, suffix: str
) -> Written:
    from pyarrow import csv as pacsv

    dialect = sniff(head, suffix)
    names = _header(source, dialect)
    if dialect.has_header:
        check_columns(names, filename)
    read_options = pacsv.ReadOptions(
        block_size=_BLOCK_BYTES,
        encoding=dialect.encoding,
        column_names=None if dialect.has_header else [f"column_{i + 1}" for i in range(len(names))],
    )
    try:
        reader = pacsv.open_csv(
            source,
            read_options=read_options,
            parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=True, decimal_point=dialect.decimal_point
            ),
        )
        return write_batches(reader, reader.schema, out)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InvalidInputError(_message(filename, exc), code="dataset.unreadable") from exc


def _header(source: Path, dialect: Dialect) -> list[str]:
    with source.open(encoding=dialect.encoding, errors="replace", newline="") as fh:
        try:
            return next(csv.reader(fh, delimiter=dialect.delimiter))
        except StopIteration:
            return []


def _message(filename: str, exc: Exception) -> str:
    text = str(exc).split("\n")[0]
    if "UTF8" in text or "utf-8" in text.lower():
        return f"{filename} is not valid text in a known encoding. Save it as UTF-8 and try again."
    if "Expected" in text and "columns" in text:
        return (
            f"{filename}: rows have different numbers of fields ({text}). "
            "Check the delimiter and quoting."
        )
    return f"{filename} could not be read as a table: {text}"
