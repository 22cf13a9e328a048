"""Preprocessing / threshold / selection flags of the CLI as search options."""

from __future__ import annotations

from typing import Any

from modelyard.errors import InvalidInputError


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
