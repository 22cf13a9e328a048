"""A/B tests of two model versions on one endpoint: states, metrics, the winner rule (pure).

A test compares a control (A, usually the version in service) with a treatment (B) on the
predictions an endpoint made since the test started and the feedback (true outcomes) sent
for them. Each prediction with feedback is one observation:

- ``accuracy`` (classification): 1 when the prediction equals the true label, else 0;
- ``conversion`` (any task): the feedback itself, read as 0/1 (true, 1, "yes", ...);
- ``mae`` (regression): the absolute error; ``rmse``: the squared error (the test compares
  mean squared errors, the arm shows its root).

The winner rule: while an arm has fewer than ``min_samples`` observations, keep collecting;
then, when the always-valid p-value is at most ``alpha``, the better arm (higher accuracy or
conversion, lower error) wins; otherwise keep collecting (or, once stopped, no winner).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modelyard.errors import ConflictError, InvalidInputError


class ABTestStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    CONCLUDED = "concluded"


class ABMetric(StrEnum):
    ACCURACY = "accuracy"
    CONVERSION = "conversion"
    MAE = "mae"
    RMSE = "rmse"


class Decision(StrEnum):
    KEEP_COLLECTING = "keep_collecting"
    CONTROL = "control"
    TREATMENT = "treatment"
    NO_WINNER = "no_winner"


LOWER_IS_BETTER = frozenset({ABMetric.MAE, ABMetric.RMSE})
BINARY = frozenset({ABMetric.ACCURACY, ABMetric.CONVERSION})
METRICS_BY_TASK: dict[str, tuple[ABMetric, ...]] = {
    "classification": (ABMetric.ACCURACY, ABMetric.CONVERSION),
    "regression": (ABMetric.MAE, ABMetric.RMSE, ABMetric.CONVERSION),
}
_TRUE = {"1", "true", "yes", "y", "converted"}
_FALSE = {"0", "false", "no", "n", "", "not_converted"}


def default_metric(task: str) -> ABMetric:
    return METRICS_BY_TASK.get(task, (ABMetric.CONVERSION,))[0]


def check_metric(task: str, metric: str) -> ABMetric:
    """The metric, if it makes sense for the task of the compared models."""
    allowed = METRICS_BY_TASK.get(task, (ABMetric.CONVERSION,))
    if metric not in {m.value for m in allowed}:
        raise InvalidInputError(
            f"Metric {metric!r} does not fit a {task} model; use one of "
            f"{', '.join(m.value for m in allowed)}.",
            code="ab_test.bad_metric",
        )
    return ABMetric(metric)


def check_arms(control_version_id: int, treatment_version_id: int) -> None:
    if control_version_id == treatment_version_id:
        raise InvalidInputError(
            "Control and treatment are the same model version; pick two different versions.",
            code="ab_test.same_version",
        )


def check_settings(alpha: float, min_samples: int) -> None:
    if not 0.0 < alpha < 0.5:
        raise InvalidInputError(
            "alpha is the false-positive rate to accept: a number between 0 and 0.5 (e.g. 0.05).",
            code="ab_test.bad_alpha",
        )
    if not 10 <= min_samples <= 1_000_000:
        raise InvalidInputError(
            "min_samples (observations with feedback per arm before a winner is named) must be "
            "between 10 and 1,000,000.",
            code="ab_test.bad_min_samples",
        )


def check_transition(current: ABTestStatus, target: ABTestStatus) -> None:
    """running -> stopped -> concluded; running -> concluded (promoting stops the test)."""
    allowed = {
        ABTestStatus.RUNNING: {ABTestStatus.STOPPED, ABTestStatus.CONCLUDED},
        ABTestStatus.STOPPED: {ABTestStatus.CONCLUDED},
        ABTestStatus.CONCLUDED: set(),
    }
    if target not in allowed[current]:
        raise ConflictError(
            f"This A/B test is {current}; it cannot become {target}.",
            code="ab_test.bad_state",
        )


def _as_binary(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return 1.0 if value else 0.0
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1.0
    if text in _FALSE:
        return 0.0
    return None


def observation(metric: ABMetric, predicted: Any, actual: Any) -> float | None:
    """One prediction + its feedback as a number for the test (None when unusable)."""
    if metric is ABMetric.ACCURACY:
        return 1.0 if str(predicted) == str(actual) else 0.0
    if metric is ABMetric.CONVERSION:
        return _as_binary(actual)
    try:
        error = float(predicted) - float(actual)
    except (TypeError, ValueError):
        return None
    return abs(error) if metric is ABMetric.MAE else error * error


def observations(metric: ABMetric, pairs: Iterable[tuple[Any, Any]]) -> list[float | None]:
    return [observation(metric, p, a) for p, a in pairs]


def arm_value(metric: ABMetric, mean: float) -> float:
    """The metric shown for an arm from the mean of its observations."""
    if metric is ABMetric.RMSE:
        return max(mean, 0.0) ** 0.5
    return mean


@dataclass(frozen=True, slots=True)
class Recommendation:
    decision: Decision
    winner: str | None  # "control" / "treatment"
    text: str


def recommend(
    metric: ABMetric,
    *,
    n_control: int,
    n_treatment: int,
    difference: float,
    p_value: float,
    alpha: float,
    min_samples: int,
    is_running: bool = True,
) -> Recommendation:
    """The winner rule (see the module docstring)."""
    short = max(min_samples - n_control, min_samples - n_treatment, 0)
    if short > 0:
        return Recommendation(
            Decision.KEEP_COLLECTING if is_running else Decision.NO_WINNER,
            None,
            f"Keep collecting: each arm needs {min_samples} predictions with feedback "
            f"(control has {n_control}, treatment {n_treatment}).",
        )
    if p_value > alpha:
        if not is_running:
            return Recommendation(
                Decision.NO_WINNER,
                None,
                f"No significant difference (always-valid p = {p_value:.3g} > {alpha:g}); "
                "keep the control.",
            )
        return Recommendation(
            Decision.KEEP_COLLECTING,
            None,
            f"Keep collecting: no significant difference yet (always-valid p = {p_value:.3g}, "
            f"needs <= {alpha:g}). Looking again later is safe.",
        )
    treatment_better = difference < 0 if metric in LOWER_IS_BETTER else difference > 0
    winner = "treatment" if treatment_better else "control"
    return Recommendation(
        Decision.TREATMENT if treatment_better else Decision.CONTROL,
        winner,
        f"The {winner} wins on {metric} (always-valid p = {p_value:.3g} <= {alpha:g}); "
        f"promote it through the approval flow.",
    )


BUCKETS_S = (60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400)


def bucket_seconds(span_s: float, max_buckets: int = 60) -> int:
    """The smallest usual bucket that draws ``span_s`` in at most ``max_buckets`` points."""
    for size in BUCKETS_S:
        if span_s / size <= max_buckets:
            return size
    return BUCKETS_S[-1]


# -- what the service returns ----------------------------------------------------------------
class _Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class ABTest(_Snapshot):
    id: int
    name: str
    endpoint: str
    deployment_id: int
    control_version_id: int
    control_label: str = Field(description="Model name and version of the control (A).")
    treatment_version_id: int
    treatment_label: str = Field(description="Model name and version of the treatment (B).")
    treatment_share: float = Field(
        description="Intended share of traffic for the treatment; routing is the endpoint's."
    )
    metric: ABMetric
    alpha: float
    min_samples: int
    status: ABTestStatus
    started_at: datetime
    stopped_at: datetime | None
    created_by: str
    winner_version_id: int | None
    conclusion: str
    promotion_request_id: int | None


class ArmResult(_Snapshot):
    arm: str  # "control" / "treatment"
    model_version_id: int
    label: str
    n_predictions: int
    n_feedback: int = Field(description="Predictions with usable feedback: the observations.")
    value: float | None = Field(description="The metric on the observations so far.")
    lower: float | None = Field(description="Always-valid confidence sequence, lower end.")
    upper: float | None


class ArmPoint(_Snapshot):
    at: datetime = Field(description="End of the time bucket; values are cumulative to here.")
    n: int
    value: float | None
    lower: float | None
    upper: float | None


class DifferencePoint(_Snapshot):
    at: datetime
    difference: float | None
    lower: float | None
    upper: float | None
    p_value: float


class ABTestResults(_Snapshot):
    test: ABTest
    metric: ABMetric
    higher_is_better: bool
    arms: list[ArmResult]
    difference: float | None = Field(
        description="Treatment minus control in the tested quantity (mean observation; for "
        "rmse the mean squared error)."
    )
    difference_lower: float | None
    difference_upper: float | None
    lift: float | None = Field(description="difference / control's mean observation.")
    p_value: float = Field(description="Always-valid p-value: safe to check at any time.")
    is_significant: bool
    decision: Decision
    winner_version_id: int | None
    recommendation: str
    bucket_s: int
    series: dict[str, list[ArmPoint]] = Field(description="Per arm, the metric over time.")
    difference_series: list[DifferencePoint]
