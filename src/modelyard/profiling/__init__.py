"""Data profiling (EDA), quality score, cleaning and sampling for tabular data. Pure: no I/O
beyond reading the Parquet file or Arrow table it is given.

    profile = profile_table(Path("data.parquet"), target="churned")
    html = render_html(profile, title="Customers v3")
    clean = apply_steps(table, profile.suggestions)
    small = sample_table(table, method="stratified", size=1_000, seed=0, column="churned")
"""

from modelyard.profiling.cleaning import apply_steps
from modelyard.profiling.engine import profile_table
from modelyard.profiling.models import (
    BoxPlot,
    ColumnKind,
    ColumnProfile,
    CorrelationPair,
    Correlations,
    FeatureRelation,
    Histogram,
    MissingPattern,
    MissingPatterns,
    Outliers,
    Profile,
    QualityScore,
    ScatterMatrix,
    TargetAnalysis,
    TextLengths,
    TimeSeriesDecomposition,
    ValueCount,
)
from modelyard.profiling.report import render_html
from modelyard.profiling.sampling import SampleMethod, sample_table
from modelyard.profiling.steps import (
    CapOutliers,
    CleaningStep,
    DeduplicateRows,
    DropConstantColumns,
    DropIdentifierColumns,
    DropLeakyColumns,
    FixTypes,
    Impute,
    parse_steps,
)

__all__ = [
    "BoxPlot",
    "CapOutliers",
    "CleaningStep",
    "ColumnKind",
    "ColumnProfile",
    "CorrelationPair",
    "Correlations",
    "DeduplicateRows",
    "DropConstantColumns",
    "DropIdentifierColumns",
    "DropLeakyColumns",
    "FeatureRelation",
    "FixTypes",
    "Histogram",
    "Impute",
    "MissingPattern",
    "MissingPatterns",
    "Outliers",
    "Profile",
    "QualityScore",
    "SampleMethod",
    "ScatterMatrix",
    "TargetAnalysis",
    "TextLengths",
    "TimeSeriesDecomposition",
    "ValueCount",
    "apply_steps",
    "parse_steps",
    "profile_table",
    "render_html",
    "sample_table",
]
