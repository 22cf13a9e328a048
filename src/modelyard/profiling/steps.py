"""Cleaning steps: specs a user can pick, store in lineage and apply (``cleaning.apply_steps``).

``CleaningStep`` is a discriminated union on ``kind``; parse a stored list back with
``parse_steps(json_list)``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from modelyard.errors import InvalidInputError

ImputeMethod = Literal["mean", "median", "most_frequent", "constant", "knn"]
TypeTarget = Literal["numeric", "integer", "datetime", "boolean", "text"]


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: list[str] = []
    reason: str = ""


class DropConstantColumns(_Step):
    """Drop columns with a single value (or none): they carry no information."""

    kind: Literal["drop_constant_columns"] = "drop_constant_columns"


class DropIdentifierColumns(_Step):
    """Drop identifier-like columns: unique per row, a model would only memorise them."""

    kind: Literal["drop_identifier_columns"] = "drop_identifier_columns"


class DropLeakyColumns(_Step):
    """Drop columns with a near-perfect relation to the target (they leak the answer)."""

    kind: Literal["drop_leaky_columns"] = "drop_leaky_columns"


class Impute(_Step):
    """Fill missing values of ``columns``.

    ``mean`` and ``median`` need numeric columns; ``most_frequent`` takes the most common
    value (ties: the smallest); ``constant`` fills ``fill_value``; ``knn`` uses sklearn's
    ``KNNImputer`` over all numeric columns (standardised), ``n_neighbors`` neighbours.
    """

    kind: Literal["impute"] = "impute"
    method: ImputeMethod
    fill_value: float | int | bool | str | None = None
    n_neighbors: int = Field(default=5, ge=1, le=100)


class CapOutliers(_Step):
    """Clip values of numeric ``columns`` into bounds (winsorise).

    ``bounds`` gives ``[lower, upper]`` per column (the suggestion stores the profiled IQR
    fences so that lineage is exact); a column without bounds gets the Tukey fences
    ``q1 - iqr_factor x IQR`` and ``q3 + iqr_factor x IQR`` of the data being cleaned.
    """

    kind: Literal["cap_outliers"] = "cap_outliers"
    iqr_factor: float = Field(default=1.5, gt=0)
    bounds: dict[str, tuple[float, float]] = {}


class FixTypes(_Step):
    """Convert ``columns`` to ``to``; values that do not convert become missing."""

    kind: Literal["fix_types"] = "fix_types"
    to: TypeTarget


class DeduplicateRows(_Step):
    """Keep the first of rows that repeat; ``columns`` empty means all columns."""

    kind: Literal["deduplicate_rows"] = "deduplicate_rows"


CleaningStep = Annotated[
    DropConstantColumns
    | DropIdentifierColumns
    | DropLeakyColumns
    | Impute
    | CapOutliers
    | FixTypes
    | DeduplicateRows,
    Field(discriminator="kind"),
]

_STEPS_ADAPTER: TypeAdapter[list[CleaningStep]] = TypeAdapter(list[CleaningStep])


def parse_steps(data: object) -> list[CleaningStep]:
    """Cleaning steps from JSON-like data (a list of dicts with a ``kind``).

    Raises ``InvalidInputError`` naming the first bad step and field.
    """
    try:
        return _STEPS_ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError(
            f"Cleaning step {where or 'list'} is not valid: {first['msg']}.",
            code="cleaning.bad_step",
            details={
                "errors": [
                    {"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()
                ]
            },
        ) from exc
