"""What a profile is made of: frozen pydantic models that serialise to JSON.

Every float that could not be computed (an empty column, a zero variance) is ``None``,
never NaN or infinity, so ``Profile.to_dict()`` passes ``json.dumps(allow_nan=False)``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from modelyard.profiling.steps import CleaningStep

ColumnKind = Literal[
    "numeric", "integer", "boolean", "categorical", "datetime", "text", "identifier", "constant"
]
AssociationMethod = Literal["pearson", "cramers_v", "correlation_ratio"]
TaskKind = Literal["classification", "regression"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Histogram(_Frozen):
    """Equal-width bins: ``edges`` has one more entry than ``counts``.

    For datetime columns the edges are seconds since 1970-01-01 (UTC) and ``labels`` holds
    them as ISO dates.
    """

    edges: list[float]
    counts: list[int]
    labels: list[str] = []


class ValueCount(_Frozen):
    value: str
    count: int
    share: float


class BoxPlot(_Frozen):
    """Tukey box plot: whiskers are the most extreme values inside the 1.5 x IQR fences."""

    q1: float
    median: float
    q3: float
    lower_whisker: float
    upper_whisker: float
    lower_fence: float
    upper_fence: float


class Outliers(_Frozen):
    """Counts of values outside the IQR fences and with |z| above ``z_threshold``."""

    iqr_count: int
    iqr_lower: float
    iqr_upper: float
    z_count: int
    z_threshold: float
    share: float


class TextLengths(_Frozen):
    min_length: int | None
    mean_length: float | None
    max_length: int | None
    mean_words: float | None


class ColumnProfile(_Frozen):
    """One column. ``count`` is the number of non-missing values.

    ``distinct`` is exact when ``distinct_is_exact`` (a full group-by), else DuckDB's
    HyperLogLog estimate (``approx_count_distinct``, within a few percent).
    Numeric statistics use the parsed values when a text column holds numbers or dates.
    """

    name: str
    dtype: str
    kind: ColumnKind
    kind_reason: str
    count: int
    missing: int
    missing_share: float
    distinct: int
    distinct_is_exact: bool
    distinct_share: float
    infinite: int = 0
    unparsable: int = 0
    mean: float | None = None
    std: float | None = None
    min: float | str | None = None
    max: float | str | None = None
    median: float | None = None
    mode: str | None = None
    quantiles: dict[str, float | None] = {}
    histogram: Histogram | None = None
    top_values: list[ValueCount] = []
    box: BoxPlot | None = None
    outliers: Outliers | None = None
    text: TextLengths | None = None


class MissingPattern(_Frozen):
    """One combination of missing columns and how many sampled rows have exactly it."""

    missing_columns: list[str]
    count: int
    share: float


class MissingPatterns(_Frozen):
    """The most common missingness patterns among ``columns`` (those with any missing value)."""

    columns: list[str]
    patterns: list[MissingPattern]
    sample_rows: int


class CorrelationPair(_Frozen):
    a: str
    b: str
    method: AssociationMethod
    value: float
    spearman: float | None = None


class Correlations(_Frozen):
    """One association matrix over ``columns``: ``values[i][j]`` measured with ``methods[i][j]``.

    Pearson (signed, -1..1) for two numeric columns, Cramer's V (0..1) for two categorical
    ones, the correlation ratio eta (0..1) for a numeric and a categorical one. ``spearman``
    is the rank correlation matrix of the numeric columns alone.
    """

    columns: list[str]
    values: list[list[float | None]]
    methods: list[list[str]]
    spearman_columns: list[str] = []
    spearman: list[list[float | None]] = []
    top_pairs: list[CorrelationPair] = []
    sample_rows: int = 0


class ScatterMatrix(_Frozen):
    """Sampled points of the top numeric features; ``color`` holds the target's values."""

    columns: list[str]
    points: list[list[float | None]]
    color: list[str] | None = None
    chosen_by: str


class TimeSeriesDecomposition(_Frozen):
    """Additive moving-average decomposition of ``value_column`` averaged per ``frequency``."""

    time_column: str
    value_column: str
    frequency: str
    period: int
    timestamps: list[str]
    observed: list[float | None]
    trend: list[float | None]
    seasonal: list[float | None]
    residual: list[float | None]


class FeatureRelation(_Frozen):
    """How one feature relates to the target, with the data for a plot.

    ``x_labels`` are the feature's bins (numeric) or top categories; ``series`` maps each
    class to its share of rows per bin (classification), or ``mean`` to the target mean
    per bin (regression).
    """

    feature: str
    mutual_information: float | None
    x_labels: list[str]
    series: dict[str, list[float | None]]


class TargetAnalysis(_Frozen):
    column: str
    task: TaskKind
    class_balance: list[ValueCount] = []
    imbalance_ratio: float | None = None
    histogram: Histogram | None = None
    relations: list[FeatureRelation] = []
    sample_rows: int = 0


class QualityScore(_Frozen):
    """The data quality score (0-100) and its parts (each 0-100); see ``quality.py``."""

    score: float
    completeness: float
    uniqueness: float
    validity: float
    consistency: float
    outliers: float
    issues: list[str] = []


class Profile(_Frozen):
    """A whole-table profile. Sample-based parts say how many rows they saw."""

    n_rows: int
    n_columns: int
    memory_bytes: int
    duplicate_rows: int
    duplicate_share: float
    sample_rows: int
    seed: int
    columns: list[ColumnProfile]
    missing_patterns: MissingPatterns
    correlations: Correlations
    scatter_matrix: ScatterMatrix | None = None
    time_series: TimeSeriesDecomposition | None = None
    target: TargetAnalysis | None = None
    quality: QualityScore
    suggestions: list[CleaningStep] = []
    notes: list[str] = []
    duration_s: float = 0.0

    def column(self, name: str) -> ColumnProfile:
        """The profile of column ``name`` (KeyError when there is none)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: NaN and infinities become ``None``."""
        return _json_safe(self.model_dump(mode="python"))


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def finite(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when missing, NaN or infinite."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
