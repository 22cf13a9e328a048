"""Preprocessing / threshold / selection flags of the CLI as search options.

The flags are declared once here (``Annotated`` aliases) and shared by `modelyard train`
(on a server) and `modelyard automl fit` (local); a flag left out is None, so the
search's own default applies.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from modelyard.errors import InvalidInputError

Imputation = Annotated[
    str | None,
    typer.Option(
        help="auto, mean, median, most_frequent, constant, knn, iterative (default auto)."
    ),
]
Scaling = Annotated[
    str | None, typer.Option(help="auto, standard, robust, minmax, none (default auto).")
]
Encoding = Annotated[str | None, typer.Option(help="auto, onehot, ordinal, target (default auto).")]
Interactions = Annotated[
    str | None,
    typer.Option(
        help="none, always, search; degree-2 features for linear, SVM, k-NN (default none)."
    ),
]
Resampling = Annotated[
    str | None,
    typer.Option(
        help="none, oversample, undersample, smote; on the training rows only (default none)."
    ),
]
ThresholdMetric = Annotated[
    str | None,
    typer.Option(help="Tune the binary decision threshold: f1, balanced_accuracy, mcc, ..."),
]
CostMatrix = Annotated[
    str | None,
    typer.Option(help="Threshold of least cost: 'TN_COST,FP_COST,FN_COST,TP_COST'."),
]
FeatureSelection = Annotated[
    str | None,
    typer.Option(
        help="none, auto, variance, mutual_info, rfe, l1, tree_importance, permutation, "
        "neural (default none)."
    ),
]
MaxFeatures = Annotated[int | None, typer.Option(min=1, help="Keep at most this many features.")]
Families = Annotated[
    str | None, typer.Option(help="Comma-separated model families, e.g. linear,svm.")
]
Task = Annotated[
    str | None,
    typer.Option(
        "--task",
        help="classification, regression, clustering or anomaly (default: from the target).",
    ),
]
NClusters = Annotated[
    int | None, typer.Option("--n-clusters", min=2, help="Clustering: a fixed number of clusters.")
]
Contamination = Annotated[
    float | None,
    typer.Option("--contamination", help="Anomaly: expected share of anomalies, (0, 0.5]."),
]


def parse_cost_matrix(text: str | None) -> list[list[float]] | None:
    """``'TN,FP,FN,TP'`` (four numbers) as ``[[tn, fp], [fn, tp]]``."""
    if text is None:
        return None
    try:
        tn, fp, fn, tp = (float(part) for part in text.split(","))
    except ValueError:
        raise InvalidInputError(
            f"--cost-matrix {text!r} must be four comma-separated numbers: "
            "TN_COST,FP_COST,FN_COST,TP_COST (e.g. 0,1,5,0).",
            code="automl.invalid_config",
        ) from None
    return [[tn, fp], [fn, tp]]


def prep_options(
    *, cost_matrix: str | None, families: str | None = None, **given: Any
) -> dict[str, Any]:
    """The flags that were set, as AutoMLConfig / TrainingOptions fields."""
    options = {k: v for k, v in given.items() if v is not None}
    matrix = parse_cost_matrix(cost_matrix)
    if matrix is not None:
        options["cost_matrix"] = matrix
    if families:
        options["families"] = [name.strip() for name in families.split(",") if name.strip()]
    return options
