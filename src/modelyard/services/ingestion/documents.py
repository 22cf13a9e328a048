"""Excel workbooks and JSON documents: read whole (they are not streamable), then checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import pyarrow as pa

from modelyard.errors import InvalidInputError
from modelyard.services.ingestion.writer import Written, write_table


def excel_to_parquet(source: Path, filename: str, out: Path, *, sheet: str | None) -> Written:
    """One sheet of an .xlsx workbook.

    Formulas give the values Excel cached; a merged range gives its value in its first cell.
    """
    with source.open("rb") as handle:  # a handle: the staged file's name has no .xlsx suffix
        chosen, rows = _sheet_rows(handle, filename, sheet)
    rows = [row for row in rows if any(cell is not None and str(cell).strip() for cell in row)]
    if not rows:
        raise InvalidInputError(
            f"Sheet {chosen!r} of {filename} is empty.", code="dataset.empty_file"
        )
    header = [("" if cell is None else str(cell).strip()) for cell in rows[0]]
    while header and not header[-1]:
        header.pop()
    records = [dict(zip(header, row[: len(header)], strict=False)) for row in rows[1:]]
    return write_table(_table(records, header), filename, out)


def _sheet_rows(handle: Any, filename: str, sheet: str | None) -> tuple[str, list[list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInputError(
            f"{filename} is not a readable .xlsx workbook.", code="dataset.unreadable"
        ) from exc
    try:
        names = workbook.sheetnames
        chosen = sheet or names[0]
        if chosen not in names:
            raise InvalidInputError(
                f"{filename} has no sheet named {chosen!r}; its sheets are: {', '.join(names)}.",
                code="dataset.unknown_sheet",
                details={"sheets": names},
            )
        return chosen, [list(row) for row in workbook[chosen].iter_rows(values_only=True)]
    finally:
        workbook.close()


def json_to_parquet(source: Path, filename: str, out: Path, *, is_lines: bool) -> Written:
    """An array of records (or {"data"|"records": [...]}), or NDJSON with one record a line."""
    records: Any
    try:
        with source.open(encoding="utf-8") as fh:
            if is_lines:
                records = [json.loads(line) for line in fh if line.strip()]
            else:
                document = json.load(fh)
                records = (
                    document.get("data", document.get("records"))
                    if isinstance(document, dict)
                    else document
                )
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"{filename} is not valid JSON: {exc}.", code="dataset.unreadable"
        ) from exc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InvalidInputError(
            f"{filename}: expected a list of objects (one per row), or NDJSON with one object "
            "per line.",
            code="dataset.not_tabular",
        )
    header = list(dict.fromkeys(key for record in records for key in record))
    return write_table(_table(records, header), filename, out)


def _table(records: list[dict[str, Any]], header: list[str]) -> pa.Table:
    """Columns typed by their values; mixed or nested values are kept as text."""
    columns = {}
    for name in header:
        values = [record.get(name) for record in records]
        columns[name] = _array(values)
    return pa.table(columns) if columns else pa.table({})


def _array(values: list[Any]) -> pa.Array:
    if any(isinstance(v, dict | list) for v in values):
        values = [None if v is None else json.dumps(v) for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
