"""Associations between columns, measured on the row sample.

- Pearson's r (pairwise complete rows) and Spearman's rho (Pearson on each column's ranks,
  ranked over its own non-missing values) for two numeric columns;
- Cramer's V (uncorrected: sqrt(chi2 / n / (min(r, c) - 1))) for two categorical ones;
- the correlation ratio eta (sqrt of between-group over total sum of squares) for a
  numeric and a categorical one.

At most ``MAX_COLUMNS`` columns enter (the target first, then in table order).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from modelyard.profiling.frame import SampleFrame
from modelyard.profiling.models import CorrelationPair, Correlations, finite

if TYPE_CHECKING:
    import pandas as pd

MAX_COLUMNS = 40
TOP_PAIRS = 20
_MIN_ROWS = 3


def choose_columns(frame: SampleFrame, target: str | None) -> list[str]:
    """The columns that enter the matrix, the target first."""
    names = [*frame.numeric, *frame.categorical]
    if target in names:
        names = [target, *[n for n in names if n != target]]
    return names[:MAX_COLUMNS]


def correlations(frame: SampleFrame, columns: list[str]) -> Correlations:
    """The combined association matrix over ``columns`` and its strongest pairs."""
    numeric = [c for c in columns if c in frame.numeric]
    pearson, spearman = _numeric_matrices(frame, numeric)
    size = len(columns)
    values: list[list[float | None]] = [[None] * size for _ in range(size)]
    methods = [[""] * size for _ in range(size)]
    for i, a in enumerate(columns):
        values[i][i] = 1.0
        methods[i][i] = "pearson" if a in frame.numeric else "cramers_v"
    for i, j in itertools.combinations(range(size), 2):
        method, value = _association(frame, columns[i], columns[j], pearson)
        values[i][j] = values[j][i] = value
        methods[i][j] = methods[j][i] = method
    return Correlations(
        columns=columns,
        values=values,
        methods=methods,
        spearman_columns=numeric,
        spearman=_to_lists(spearman),
        top_pairs=_top_pairs(columns, values, methods, numeric, spearman),
        sample_rows=frame.n_rows,
    )


def _numeric_matrices(frame: SampleFrame, numeric: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd

    data = pd.DataFrame({name: frame.numeric[name] for name in numeric})
    pearson = data.corr(method="pearson", min_periods=_MIN_ROWS)
    spearman = data.rank().corr(method="pearson", min_periods=_MIN_ROWS)
    return pearson, spearman


def _to_lists(matrix: pd.DataFrame) -> list[list[float | None]]:
    return [[finite(v) for v in row] for row in matrix.to_numpy().tolist()]


def _association(
    frame: SampleFrame, a: str, b: str, pearson: pd.DataFrame
) -> tuple[str, float | None]:

    if a in frame.numeric and b in frame.numeric:
        return "pearson", finite(pearson.loc[a, b])
    if a in frame.categorical and b in frame.categorical:
        return "cramers_v", cramers_v(frame.categorical[a].codes, frame.categorical[b].codes)
    x, c = (a, b) if a in frame.numeric else (b, a)
    return "correlation_ratio", correlation_ratio(frame.numeric[x], frame.categorical[c].codes)


def cramers_v(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cramer's V of two code arrays (-1 = missing); None when undefined."""
    keep = (a >= 0) & (b >= 0)
    a, b = a[keep], b[keep]
    if len(a) < _MIN_ROWS:
        return None
    rows, cols = int(a.max()) + 1, int(b.max()) + 1
    observed = np.bincount(a * cols + b, minlength=rows * cols).reshape(rows, cols)
    observed = observed[observed.sum(1) > 0][:, observed.sum(0) > 0]
    rows, cols = observed.shape
    if min(rows, cols) < 2:
        return None
    expected = np.outer(observed.sum(1), observed.sum(0)) / len(a)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return finite(min(1.0, math.sqrt(chi2 / len(a) / (min(rows, cols) - 1))))


def correlation_ratio(x: np.ndarray, codes: np.ndarray) -> float | None:
    """eta of numeric ``x`` across groups ``codes`` (-1 = missing); None when undefined."""
    keep = ~np.isnan(x) & (codes >= 0)
    x, codes = x[keep], codes[keep]
    if len(x) < _MIN_ROWS:
        return None
    total = float(((x - x.mean()) ** 2).sum())
    if total <= 0:
        return None
    counts = np.bincount(codes)
    sums = np.bincount(codes, weights=x)
    present = counts > 0
    means = sums[present] / counts[present]
    between = float((counts[present] * (means - x.mean()) ** 2).sum())
    return finite(min(1.0, math.sqrt(between / total)))


def _top_pairs(
    columns: list[str],
    values: list[list[float | None]],
    methods: list[list[str]],
    numeric: list[str],
    spearman: pd.DataFrame,
) -> list[CorrelationPair]:
    pairs = []
    for i, j in itertools.combinations(range(len(columns)), 2):
        value = values[i][j]
        if value is None:
            continue
        a, b = columns[i], columns[j]
        rho = finite(spearman.loc[a, b]) if a in numeric and b in numeric else None
        pairs.append(
            CorrelationPair(a=a, b=b, method=methods[i][j], value=value, spearman=rho)  # type: ignore[arg-type]
        )
    pairs.sort(key=lambda p: (-abs(p.value), p.a, p.b))
    return pairs[:TOP_PAIRS]
