"""Turning an uploaded file into a clean Parquet file, streamed in chunks where the format allows.

The raw file is never trusted as-is: it is parsed, checked (columns, names, rows) and
rewritten as Parquet. What a user gets back from a bad file is a message that says what
was wrong and how to fix it.

Formats: CSV/TSV/TXT (delimiter, encoding, decimal separator and header sniffed; streamed),
Parquet (streamed by row group), Excel .xlsx (one sheet, cached formula values), JSON (an
array of records, or an object holding one) and NDJSON (one record per line).
"""

from __future__ import annotations

from pathlib import Path

from modelyard.errors import InvalidInputError
from modelyard.services.ingestion.delimited import delimited_to_parquet
from modelyard.services.ingestion.documents import excel_to_parquet, json_to_parquet
from modelyard.services.ingestion.writer import (
    PARQUET_MAGIC,
    ParquetFile,
    column_kind,
    copy_parquet,
    finish,
)

__all__ = ["ParquetFile", "SUPPORTED", "column_kind", "to_parquet"]

DELIMITED = {".csv", ".tsv", ".txt", ""}
PARQUET = {".parquet", ".pq"}
EXCEL = {".xlsx", ".xlsm"}
JSON = {".json", ".ndjson", ".jsonl"}
SUPPORTED = "CSV, TSV, Parquet, Excel (.xlsx), JSON or NDJSON"


def to_parquet(
    source: Path, filename: str, out_dir: Path, *, sheet: str | None = None
) -> ParquetFile:
    """Convert ``source`` (named ``filename`` by the user) into a Parquet file in ``out_dir``."""
    suffix = Path(filename).suffix.lower()
    with source.open("rb") as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise InvalidInputError(f"{filename} is empty.", code="dataset.empty_file")
    out = out_dir / "data.parquet"
    if suffix in PARQUET or head[:4] == PARQUET_MAGIC:
        written = copy_parquet(source, filename, out)
    elif suffix in EXCEL:
        written = excel_to_parquet(source, filename, out, sheet=sheet)
    elif suffix in JSON:
        written = json_to_parquet(source, filename, out, is_lines=_is_ndjson(suffix, head))
    elif suffix in DELIMITED:
        if b"\x00" in head:
            raise InvalidInputError(
                f"{filename} is not a text table (it contains binary data). Upload {SUPPORTED}.",
                code="dataset.not_tabular",
            )
        written = delimited_to_parquet(source, filename, out, head=head, suffix=suffix)
    else:
        raise InvalidInputError(
            f"{filename}: files of type '{suffix}' are not supported. Upload {SUPPORTED}.",
            code="dataset.unsupported_format",
        )
    return finish(out, filename, written)


def _is_ndjson(suffix: str, head: bytes) -> bool:
    """NDJSON by name, or a .json file whose first two lines each hold a whole object."""
    if suffix in (".ndjson", ".jsonl"):
        return True
    lines = head.lstrip().split(b"\n", 2)
    return len(lines) > 2 and all(_is_object(line) for line in lines[:2])


def _is_object(line: bytes) -> bool:
    import json

    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
