"""``profile_table``: the whole profile of a Parquet file or an Arrow table.

Exact parts run in DuckDB over all rows: per-column counts, missing values, distinct
counts, moments, quantiles, top values, histograms, box plots, outliers (IQR and z-score),
duplicate rows and the time-series aggregation. The expensive multivariate parts use a
seeded uniform sample of ``sample_rows`` rows: correlations, the scatter matrix, mutual
information, feature-target plots and the missing-value patterns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from modelyard.errors import InvalidInputError
from modelyard.profiling.columns import numeric_column, profile_columns, timestamp_template
from modelyard.profiling.correlations import MAX_COLUMNS, choose_columns, correlations
from modelyard.profiling.frame import SampleFrame, build_frame
from modelyard.profiling.models import (
    ColumnProfile,
    Correlations,
    MissingPatterns,
    Profile,
    ScatterMatrix,
    TargetAnalysis,
    TimeSeriesDecomposition,
)
from modelyard.profiling.multivariate import missing_patterns, scatter_matrix
from modelyard.profiling.quality import quality_score
from modelyard.profiling.scan import RawColumn, scan_columns
from modelyard.profiling.source import Source, open_source, quote
from modelyard.profiling.stats import NumericColumn
from modelyard.profiling.suggestions import suggest_steps
from modelyard.profiling.target import analyse_target, task_of
from modelyard.profiling.timeseries import decompose_series

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class _SampleParts:
    missing_patterns: MissingPatterns
    correlations: Correlations
    target: TargetAnalysis | None
    scatter_matrix: ScatterMatrix | None


@dataclass(frozen=True)
class _ExactParts:
    n_rows: int
    memory_bytes: int
    columns: list[ColumnProfile]
    duplicate_rows: int
    time_series: TimeSeriesDecomposition | None
    sample: pa.Table


def profile_table(
    source: Path | pa.Table,
    *,
    target: str | None = None,
    progress: Progress | None = None,
    sample_rows: int = 200_000,
    seed: int = 0,
) -> Profile:
    """Profile ``source``; ``progress(fraction, message)`` is called as parts finish."""
    started = time.perf_counter()
    report = progress or _silent
    if isinstance(sample_rows, bool) or not isinstance(sample_rows, int) or sample_rows < 1:
        raise InvalidInputError(
            f"sample_rows must be a positive whole number; got {sample_rows!r}.",
            code="profile.bad_sample_rows",
        )
    exact = _exact(source, target=target, sample_rows=sample_rows, seed=seed, report=report)
    columns, duplicates, n_rows = exact.columns, exact.duplicate_rows, exact.n_rows
    parts = _from_sample(exact.sample, columns, target=target, seed=seed, report=report)
    profile = Profile(
        n_rows=n_rows,
        n_columns=len(columns),
        memory_bytes=exact.memory_bytes,
        duplicate_rows=duplicates,
        duplicate_share=duplicates / n_rows if n_rows else 0.0,
        sample_rows=exact.sample.num_rows,
        seed=seed,
        columns=columns,
        missing_patterns=parts.missing_patterns,
        correlations=parts.correlations,
        scatter_matrix=parts.scatter_matrix,
        time_series=exact.time_series,
        target=parts.target,
        quality=quality_score(columns, n_rows=n_rows, duplicate_rows=duplicates),
        suggestions=suggest_steps(
            columns, duplicate_rows=duplicates, correlations=parts.correlations, target=target
        ),
        notes=_notes(columns, exact.sample.num_rows, n_rows, parts.correlations),
        duration_s=round(time.perf_counter() - started, 3),
    )
    report(1.0, "Profile complete")
    return profile


def _exact(
    source: Path | pa.Table, *, target: str | None, sample_rows: int, seed: int, report: Progress
) -> _ExactParts:
    """The parts computed over all rows in DuckDB, and the row sample for the rest."""
    with open_source(source) as src:
        if target is not None and target not in src.schema.names:
            raise InvalidInputError(
                f"The target {target!r} is not a column of this table.",
                code="profile.target_unknown",
            )
        raws = scan_columns(src, lambda f: report(0.3 * f, "Scanning columns"))
        columns = profile_columns(src, raws, lambda f: report(0.3 + 0.2 * f, "Column statistics"))
        report(0.5, "Computed column statistics")
        duplicates = _duplicate_rows(src)
        report(0.55, "Counted duplicate rows")
        series = _time_series(src, raws, columns, target)
        report(0.6, "Decomposed the time series")
        sample = src.sample(min(sample_rows, src.n_rows), seed)
        report(0.65, "Drew the row sample")
        return _ExactParts(src.n_rows, src.memory_bytes, columns, duplicates, series, sample)


def _silent(fraction: float, message: str) -> None:
    return None


def _duplicate_rows(src: Source) -> int:
    """Rows equal to an earlier row (compared by a 64-bit hash of all values)."""
    if src.n_rows == 0 or not src.schema.names:
        return 0
    names = ", ".join(quote(n) for n in src.schema.names)
    row = src.con.execute(f"SELECT count(*) - count(DISTINCT hash({names})) FROM t").fetchall()
    return int(row[0][0])


def _from_sample(
    sample: pa.Table,
    columns: list[ColumnProfile],
    *,
    target: str | None,
    seed: int,
    report: Progress,
) -> _SampleParts:
    by_name = {c.name: c for c in columns}
    target_column = by_name.get(target) if target else None
    is_classification = target_column is not None and task_of(target_column) == "classification"
    frame = build_frame(sample, columns, classes_of=target if is_classification else None)
    patterns = missing_patterns(sample)
    matrix = correlations(frame, choose_columns(frame, target))
    report(0.8, "Computed correlations")
    analysis = _target(frame, target_column, seed)
    report(0.95, "Analysed the target")
    relevance = (
        {r.feature: r.mutual_information or 0.0 for r in analysis.relations} if analysis else {}
    )
    scatter = scatter_matrix(frame, target=target, relevance=relevance, seed=seed)
    return _SampleParts(patterns, matrix, analysis, scatter)


def _target(frame: SampleFrame, column: ColumnProfile | None, seed: int) -> TargetAnalysis | None:
    if column is None:
        return None
    features = [n for n in [*frame.numeric, *frame.categorical] if n != column.name]
    return analyse_target(frame, column, features, seed=seed)


def _time_series(
    src: Source, raws: list[RawColumn], columns: list[ColumnProfile], target: str | None
) -> TimeSeriesDecomposition | None:
    """The first datetime column against the target (a number, or a flag as a rate),
    else against the first numeric column."""
    raw_by_name = {r.name: r for r in raws}
    times = [c for c in columns if c.kind == "datetime" and c.histogram and c.distinct >= 8]
    values = [
        c
        for c in columns
        if c.count
        and (c.kind in ("numeric", "integer") or (c.name == target and c.kind == "boolean"))
    ]
    values.sort(key=lambda c: c.name != target)
    if not times or not values:
        return None
    time_col, value_col = times[0], values[0]
    edges = time_col.histogram.edges if time_col.histogram else [0.0, 0.0]
    raw = raw_by_name[value_col.name]
    value = numeric_column(raw, value_col.kind)
    if value is None and raw.family == "boolean":
        value = NumericColumn(raw.name, raw.family, "CAST({v} AS DOUBLE)")
    if value is None:
        return None
    time_template = timestamp_template(raw_by_name[time_col.name].family)
    return decompose_series(
        src,
        time=(time_col.name, time_template.format(v=quote(time_col.name))),
        value=(value_col.name, value.template.format(v=quote(value_col.name))),
        span_s=edges[-1] - edges[0],
    )


def _notes(
    columns: list[ColumnProfile], sample_rows: int, n_rows: int, matrix: Correlations
) -> list[str]:
    notes = []
    if sample_rows < n_rows:
        notes.append(
            f"Correlations, mutual information, the scatter matrix and missing patterns use a "
            f"seeded sample of {sample_rows:,} of {n_rows:,} rows; everything else is exact."
        )
    estimated = [c.name for c in columns if not c.distinct_is_exact]
    if estimated:
        notes.append(
            "Distinct counts are HyperLogLog estimates (within a few percent) for "
            f"high-cardinality columns: {', '.join(estimated[:10])}"
            + (" ..." if len(estimated) > 10 else "")
        )
    if len(matrix.columns) >= MAX_COLUMNS:
        notes.append(f"Correlations cover the first {MAX_COLUMNS} numeric and categorical columns.")
    return notes
