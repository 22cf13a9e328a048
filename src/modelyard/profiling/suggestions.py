"""Cleaning suggestions drawn from a profile, each a ``CleaningStep`` with its reason.

Rules (the target column is never dropped, imputed or capped):

- constant columns -> drop; identifier-like columns -> drop;
- leaky columns: association with the target of at least ``LEAK_THRESHOLD``
  (|Pearson|, Cramer's V or eta on the sample) -> drop;
- numbers or dates stored as text, flags stored as text -> fix types;
- missing values in columns at most ``MAX_MISSING_TO_IMPUTE`` missing -> impute:
  ``knn`` for numeric columns strongly related (|r| >= 0.5) to another numeric column,
  ``median`` for skewed or outlier-prone ones, ``mean`` otherwise, ``most_frequent`` for
  categorical and boolean columns, ``constant`` (empty text) for free text;
- a few extreme values (0 < IQR-outlier share <= ``MAX_OUTLIER_SHARE``) in numeric columns
  -> cap at the profiled fences (more than that is the shape of the distribution, not
  outliers);
- repeated rows -> deduplicate.
"""

from __future__ import annotations

from collections import defaultdict

from modelyard.profiling.models import ColumnProfile, Correlations
from modelyard.profiling.quality import TEXT_DTYPES
from modelyard.profiling.steps import (
    CapOutliers,
    CleaningStep,
    DeduplicateRows,
    DropConstantColumns,
    DropIdentifierColumns,
    DropLeakyColumns,
    FixTypes,
    Impute,
    ImputeMethod,
)

LEAK_THRESHOLD = 0.98
RELATED = 0.5
MAX_MISSING_TO_IMPUTE = 0.6
MAX_OUTLIER_SHARE = 0.05


def suggest_steps(
    columns: list[ColumnProfile],
    *,
    duplicate_rows: int,
    correlations: Correlations,
    target: str | None,
) -> list[CleaningStep]:
    """The suggested steps, in the order they are best applied."""
    features = [c for c in columns if c.name != target]
    steps: list[CleaningStep] = []
    constant = [c.name for c in features if c.kind == "constant"]
    if constant:
        steps.append(
            DropConstantColumns(columns=constant, reason=_drop_reason(constant, "one value"))
        )
    ids = [c.name for c in features if c.kind == "identifier"]
    if ids:
        steps.append(
            DropIdentifierColumns(columns=ids, reason=_drop_reason(ids, "a unique id per row"))
        )
    leaky = _leaky(correlations, target)
    if leaky:
        shown = ", ".join(f"{n} ({v:.2f})" for n, v in leaky.items())
        steps.append(
            DropLeakyColumns(
                columns=list(leaky),
                reason=f"near-perfect relation to the target {target}: {shown}; "
                "a model would learn the answer, not the pattern",
            )
        )
    dropped = set(constant) | set(ids) | set(leaky)
    kept = [c for c in features if c.name not in dropped]
    steps += _fix_types(kept)
    steps += _imputations(kept, correlations)
    steps += _caps(kept)
    if duplicate_rows:
        steps.append(
            DeduplicateRows(reason=f"{duplicate_rows:,} rows repeat an earlier row exactly")
        )
    return steps


def _drop_reason(names: list[str], what: str) -> str:
    return f"{len(names)} column(s) carry {what} and no information for a model"


def _leaky(correlations: Correlations, target: str | None) -> dict[str, float]:
    if target is None or target not in correlations.columns:
        return {}
    row = correlations.values[correlations.columns.index(target)]
    return {
        name: abs(value)
        for name, value in zip(correlations.columns, row, strict=True)
        if name != target and value is not None and abs(value) >= LEAK_THRESHOLD
    }


def _fix_types(columns: list[ColumnProfile]) -> list[CleaningStep]:
    targets = {"numeric": "numeric", "datetime": "datetime", "boolean": "boolean"}
    groups: dict[str, list[str]] = defaultdict(list)
    for c in columns:
        if c.dtype in TEXT_DTYPES and c.kind in targets:
            groups[targets[c.kind]].append(c.name)
    return [
        FixTypes(
            columns=names,
            to=to,  # type: ignore[arg-type]
            reason=f"{', '.join(names)} hold {to} values stored as text; "
            "values that do not convert become missing",
        )
        for to, names in groups.items()
    ]


def _imputations(columns: list[ColumnProfile], correlations: Correlations) -> list[CleaningStep]:
    groups: dict[ImputeMethod, list[str]] = defaultdict(list)
    for c in columns:
        if 0 < c.missing_share <= MAX_MISSING_TO_IMPUTE and c.kind != "datetime":
            groups[_impute_method(c, correlations)].append(c.name)
    reasons = {
        "knn": "numeric columns with missing values that related columns can predict",
        "median": "skewed or outlier-prone numeric columns with missing values",
        "mean": "roughly symmetric numeric columns with missing values",
        "most_frequent": "categorical columns with missing values",
        "constant": "free-text columns with missing values, filled with empty text",
    }
    return [
        Impute(
            columns=names,
            method=method,
            fill_value="" if method == "constant" else None,
            reason=reasons[method],
        )
        for method, names in groups.items()
    ]


def _impute_method(column: ColumnProfile, correlations: Correlations) -> ImputeMethod:
    if column.kind == "text":
        return "constant"
    if column.kind not in ("numeric", "integer"):
        return "most_frequent"
    if _has_related(column.name, correlations):
        return "knn"
    skewed = (
        column.mean is not None
        and column.median is not None
        and column.std
        and abs(column.mean - column.median) > 0.1 * column.std
    )
    if skewed or (column.outliers is not None and column.outliers.share > 0.01):
        return "median"
    return "mean"


def _has_related(name: str, correlations: Correlations) -> bool:
    if name not in correlations.columns:
        return False
    i = correlations.columns.index(name)
    return any(
        j != i and method == "pearson" and value is not None and abs(value) >= RELATED
        for j, (value, method) in enumerate(
            zip(correlations.values[i], correlations.methods[i], strict=True)
        )
    )


def _caps(columns: list[ColumnProfile]) -> list[CleaningStep]:
    bounds: dict[str, tuple[float, float]] = {}
    for c in columns:
        o = c.outliers
        if c.kind in ("numeric", "integer") and o and 0 < o.share <= MAX_OUTLIER_SHARE:
            bounds[c.name] = (o.iqr_lower, o.iqr_upper)
    if not bounds:
        return []
    return [
        CapOutliers(
            columns=list(bounds),
            bounds=bounds,
            reason="a few values lie outside the IQR fences (q1 - 1.5 IQR, q3 + 1.5 IQR); "
            "capping keeps the rows and limits their pull",
        )
    ]
