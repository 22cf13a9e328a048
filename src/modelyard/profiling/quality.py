"""The data quality score: 0-100, a weighted mean of five parts, each 0-100.

- **completeness** (weight 0.30): share of cells that are not missing
  (null, or NaN in a float column), over all rows and columns.
- **uniqueness** (weight 0.20): share of rows that are not an exact repeat of an earlier
  row.
- **validity** (weight 0.20): share of present values that are valid for their column's
  kind: text meant as numbers or dates that does not parse, and infinite numbers, are
  invalid.
- **consistency** (weight 0.15): share of columns without a consistency problem: values
  stored with the wrong type (numbers or dates as text), or category labels that differ
  only in letter case or surrounding spaces ("North" and "north ").
- **outliers** (weight 0.15): share of numeric values inside the Tukey fences
  (q1 - 1.5 IQR, q3 + 1.5 IQR), over all numeric columns.

An empty table scores 0 for completeness and 100 for the rest.
"""

from __future__ import annotations

from collections import defaultdict

from modelyard.profiling.models import ColumnProfile, QualityScore

WEIGHTS = {
    "completeness": 0.30,
    "uniqueness": 0.20,
    "validity": 0.20,
    "consistency": 0.15,
    "outliers": 0.15,
}
TEXT_DTYPES = ("string", "large_string", "string_view")


def quality_score(
    columns: list[ColumnProfile], *, n_rows: int, duplicate_rows: int
) -> QualityScore:
    """Score a profiled table; ``issues`` lists what cost points, worst first."""
    cells = n_rows * len(columns)
    missing = sum(c.missing for c in columns)
    present = sum(c.count for c in columns)
    invalid = sum(c.unparsable + c.infinite for c in columns)
    inconsistent = {c.name: why for c in columns if (why := inconsistency(c))}
    numeric = [c for c in columns if c.outliers is not None]
    outlying = sum(c.outliers.iqr_count for c in numeric if c.outliers)
    measured = sum(c.count - c.infinite for c in numeric)
    parts = {
        "completeness": _share(cells - missing, cells, empty=0.0),
        "uniqueness": _share(n_rows - duplicate_rows, n_rows),
        "validity": _share(present - invalid, present),
        "consistency": _share(len(columns) - len(inconsistent), len(columns)),
        "outliers": _share(measured - outlying, measured),
    }
    score = sum(WEIGHTS[k] * v for k, v in parts.items())
    issues = _issues(columns, n_rows, duplicate_rows, inconsistent)
    return QualityScore(
        score=round(score, 1), issues=issues, **{k: round(v, 1) for k, v in parts.items()}
    )


def _share(good: int, total: int, *, empty: float = 100.0) -> float:
    return 100.0 * good / total if total > 0 else empty


def inconsistency(column: ColumnProfile) -> str | None:
    """What is inconsistent in a column, or None."""
    if column.dtype in TEXT_DTYPES and column.kind in ("numeric", "datetime"):
        what = "numbers" if column.kind == "numeric" else "dates"
        return f"{what} stored as text"
    if column.kind == "categorical":
        groups: dict[str, list[str]] = defaultdict(list)
        for top in column.top_values:
            groups[top.value.strip().casefold()].append(top.value)
        clashes = [labels for labels in groups.values() if len(labels) > 1]
        if clashes:
            shown = " / ".join(repr(v) for v in clashes[0])
            return f"labels that differ only in case or spaces ({shown})"
    return None


def _issues(
    columns: list[ColumnProfile],
    n_rows: int,
    duplicate_rows: int,
    inconsistent: dict[str, str],
) -> list[str]:
    found: list[tuple[float, str]] = []
    for c in columns:
        if c.missing_share > 0:
            found.append((c.missing_share, f"{c.name}: {c.missing_share:.1%} missing"))
        if c.unparsable or c.infinite:
            bad = c.unparsable + c.infinite
            found.append((bad / max(c.count, 1), f"{c.name}: {bad:,} invalid values"))
        if c.outliers is not None and c.outliers.iqr_count:
            share = c.outliers.share
            found.append((share / 2, f"{c.name}: {c.outliers.iqr_count:,} outliers ({share:.1%})"))
    for name, why in inconsistent.items():
        found.append((0.5, f"{name}: {why}"))
    if duplicate_rows:
        share = duplicate_rows / max(n_rows, 1)
        found.append((share, f"{duplicate_rows:,} duplicate rows ({share:.1%})"))
    found.sort(key=lambda item: -item[0])
    return [text for _, text in found[:30]]
