"""Sequential tests that stay valid however often results are looked at (pure, numpy only).

The test is the mixture sequential probability ratio test (mSPRT) of Robbins (1970), in the
form Johari, Koomen, Pekelis & Walsh use for A/B tests ("Always Valid Inference", 2017,
also known as Optimizely's Stats Engine).

Model. Each arm yields per-observation values ``x`` (a hit 0/1 for accuracy, a conversion
0/1, an absolute or squared error). With ``n_A``, ``n_B`` observations, means ``m_A``,
``m_B`` and variances ``s_A^2``, ``s_B^2``, the estimated difference
``d = m_B - m_A`` is approximately normal around the true difference ``theta`` with
variance ``V = s_A^2 / n_A + s_B^2 / n_B``.

Mixture likelihood ratio. Mixing the normal likelihood ratio of ``theta`` against
``theta_0 = 0`` over a normal prior ``theta ~ N(0, tau^2)`` gives in closed form::

    Lambda = sqrt(V / (V + tau^2)) * exp( tau^2 * d^2 / (2 * V * (V + tau^2)) )

Under ``theta = 0`` the ratio is a non-negative martingale with mean 1, so by Ville's
inequality ``P(sup_n Lambda_n >= 1 / alpha) <= alpha``: rejecting the first time
``Lambda >= 1 / alpha`` keeps the false-positive rate at ``alpha`` **at any stopping time**,
in particular when somebody looks at the dashboard every hour and stops when it turns green.

Always-valid p-value: ``p_n = min(p_{n-1}, 1 / Lambda_n)`` (and ``p_0 = 1``): non-increasing,
and ``P(exists n: p_n <= alpha) <= alpha``.

Confidence sequence: inverting the test at every ``theta`` gives the interval
``d +- h`` with::

    h = sqrt( V * (V + tau^2) / tau^2 * (2 * log(1 / alpha) + log((V + tau^2) / V)) )

which covers ``theta`` at all looks simultaneously with probability ``1 - alpha``. Running
intersections of these intervals over the looks stay valid and never widen.

The same formula with ``V = s^2 / n`` gives a confidence sequence for one arm's mean (the
band drawn around each arm's metric over time).

``tau`` is the scale of effects the test is tuned to detect fastest. It is fixed before the
data (a fraction of the metric's natural spread: ``tau = TAU_FRACTION * 0.5`` for 0/1
metrics, whose standard deviation is at most 0.5); for continuous metrics (errors) it is
that fraction of the pooled standard deviation of the first ``MIN_OBSERVATIONS`` values
per arm, a plug-in that is standard practice and checked by simulation in the tests.
Variances are plug-in estimates too, so validity is asymptotic; before ``MIN_OBSERVATIONS``
per arm the test reports p = 1 and an unbounded interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_OBSERVATIONS = 10
TAU_FRACTION = 0.2
_VARIANCE_FLOOR = 1e-12


@dataclass(frozen=True, slots=True)
class ArmSummary:
    """Sufficient statistics of one arm's observations so far."""

    n: int
    mean: float
    variance: float


@dataclass(frozen=True, slots=True)
class Interval:
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class SequentialResult:
    """One look at an A/B test: treatment minus control, always-valid."""

    difference: float
    lower: float
    upper: float
    p_value: float
    likelihood_ratio: float
    is_significant: bool


def summarise(values: Sequence[float] | np.ndarray, *, is_binary: bool = False) -> ArmSummary:
    """n, mean and variance; 0/1 data use a smoothed p(1-p) so 10 hits out of 10 still vary."""
    data = np.asarray(values, dtype=float)
    n = int(data.size)
    if n == 0:
        return ArmSummary(0, math.nan, math.nan)
    mean = float(data.mean())
    if is_binary:
        smoothed = (data.sum() + 1.0) / (n + 2.0)
        variance = float(smoothed * (1.0 - smoothed))
    else:
        variance = float(data.var(ddof=1)) if n > 1 else math.nan
    return ArmSummary(n, mean, variance)


def default_tau(
    control: Sequence[float] | np.ndarray,
    treatment: Sequence[float] | np.ndarray,
    *,
    is_binary: bool,
) -> float:
    """The mixture's scale, fixed from what is known before (or at the very start of) the test."""
    if is_binary:
        return TAU_FRACTION * 0.5
    head = np.concatenate(
        [
            np.asarray(control, float)[:MIN_OBSERVATIONS],
            np.asarray(treatment, float)[:MIN_OBSERVATIONS],
        ]
    )
    spread = float(head.std(ddof=1)) if head.size > 1 else 0.0
    return TAU_FRACTION * spread if spread > 0 else 1.0


def half_width(variance_of_estimate: float, tau: float, alpha: float) -> float:
    """Half-width of the mSPRT confidence sequence for an estimate with this variance."""
    v = max(variance_of_estimate, _VARIANCE_FLOOR)
    t2 = tau * tau
    return math.sqrt(v * (v + t2) / t2 * (2.0 * math.log(1.0 / alpha) + math.log((v + t2) / v)))


def log_likelihood_ratio(difference: float, variance_of_estimate: float, tau: float) -> float:
    v = max(variance_of_estimate, _VARIANCE_FLOOR)
    t2 = tau * tau
    return 0.5 * math.log(v / (v + t2)) + t2 * difference * difference / (2.0 * v * (v + t2))


def mean_interval(arm: ArmSummary, *, tau: float, alpha: float) -> Interval:
    """Always-valid confidence sequence for one arm's mean."""
    if arm.n < MIN_OBSERVATIONS or not math.isfinite(arm.variance):
        return Interval(-math.inf, math.inf)
    h = half_width(arm.variance / arm.n, tau, alpha)
    return Interval(arm.mean - h, arm.mean + h)


def look(
    control: ArmSummary, treatment: ArmSummary, *, tau: float, alpha: float
) -> SequentialResult:
    """The mSPRT at one look, without the history (see ``sequential_test`` for that)."""
    if (
        min(control.n, treatment.n) < MIN_OBSERVATIONS
        or not math.isfinite(control.variance)
        or not math.isfinite(treatment.variance)
    ):
        diff = treatment.mean - control.mean if control.n and treatment.n else math.nan
        return SequentialResult(diff, -math.inf, math.inf, 1.0, 1.0, False)
    diff = treatment.mean - control.mean
    v = control.variance / control.n + treatment.variance / treatment.n
    log_lr = log_likelihood_ratio(diff, v, tau)
    p_value = min(1.0, math.exp(-log_lr)) if log_lr < 700 else 0.0
    h = half_width(v, tau, alpha)
    return SequentialResult(
        difference=diff,
        lower=diff - h,
        upper=diff + h,
        p_value=p_value,
        likelihood_ratio=math.exp(min(log_lr, 700.0)),
        is_significant=p_value <= alpha,
    )


def sequential_test(
    looks: Sequence[tuple[ArmSummary, ArmSummary]], *, tau: float, alpha: float
) -> list[SequentialResult]:
    """Every look in order, with the running-minimum p-value and running-intersection interval."""
    results: list[SequentialResult] = []
    p_value, lower, upper = 1.0, -math.inf, math.inf
    for control, treatment in looks:
        now = look(control, treatment, tau=tau, alpha=alpha)
        p_value = min(p_value, now.p_value)
        lower, upper = max(lower, now.lower), min(upper, now.upper)
        if lower > upper:  # the intersection emptied (possible only by chance): keep the latest
            lower, upper = now.lower, now.upper
        results.append(
            SequentialResult(
                difference=now.difference,
                lower=lower,
                upper=upper,
                p_value=p_value,
                likelihood_ratio=now.likelihood_ratio,
                is_significant=p_value <= alpha,
            )
        )
    return results


def run_looks(
    control: Sequence[float] | np.ndarray,
    treatment: Sequence[float] | np.ndarray,
    cuts: Sequence[tuple[int, int]],
    *,
    alpha: float,
    is_binary: bool,
    tau: float | None = None,
) -> list[SequentialResult]:
    """Looks after the first ``(n_control, n_treatment)`` observations of each arm, in order."""
    a, b = np.asarray(control, float), np.asarray(treatment, float)
    scale = tau if tau is not None else default_tau(a, b, is_binary=is_binary)
    looks = [
        (summarise(a[:i], is_binary=is_binary), summarise(b[:j], is_binary=is_binary))
        for i, j in cuts
    ]
    return sequential_test(looks, tau=scale, alpha=alpha)
