"""The mSPRT keeps its promise: peeking does not inflate false positives, real effects show."""

import math
from itertools import pairwise

import numpy as np
import pytest

from modelyard.domain.sequential import (
    MIN_OBSERVATIONS,
    ArmSummary,
    look,
    mean_interval,
    run_looks,
    sequential_test,
    summarise,
)

ALPHA = 0.05
LOOKS = 20


def _cuts(n: int) -> list[tuple[int, int]]:
    step = n // LOOKS
    return [(k * step, k * step) for k in range(1, LOOKS + 1)]


def _false_positive_rate(draw, *, is_binary: bool, n: int = 1000, trials: int = 200) -> float:
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(trials):
        a, b = draw(rng, n), draw(rng, n)
        results = run_looks(a, b, _cuts(n), alpha=ALPHA, is_binary=is_binary)
        hits += any(r.is_significant for r in results)  # stop at the first green look
    return hits / trials


def test_aa_tests_with_twenty_looks_keep_false_positives_below_alpha_for_proportions():
    rate = _false_positive_rate(lambda rng, n: rng.binomial(1, 0.3, n), is_binary=True)
    assert rate <= ALPHA


def test_aa_tests_with_twenty_looks_keep_false_positives_below_alpha_for_errors():
    rate = _false_positive_rate(lambda rng, n: rng.exponential(2.0, n), is_binary=False)
    assert rate <= ALPHA


def test_naive_repeated_t_tests_would_inflate_false_positives():
    """The problem the mSPRT solves: a fixed-n z-test checked 20 times fires far too often."""
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(200):
        a, b = rng.binomial(1, 0.3, 1000), rng.binomial(1, 0.3, 1000)
        for i, _ in _cuts(1000):
            va, vb = a[:i].var(ddof=1) / i, b[:i].var(ddof=1) / i
            z = abs(b[:i].mean() - a[:i].mean()) / math.sqrt(va + vb)
            if z > 1.96:
                hits += 1
                break
    assert hits / 200 > ALPHA


def test_a_real_difference_is_detected_and_covered():
    rng = np.random.default_rng(1)
    a, b = rng.binomial(1, 0.60, 2000), rng.binomial(1, 0.70, 2000)
    results = run_looks(a, b, _cuts(2000), alpha=ALPHA, is_binary=True)
    final = results[-1]
    assert final.is_significant and final.p_value < 0.001
    assert final.lower < 0.10 < final.upper and final.lower > 0
    # p-values never rise and intervals never widen from look to look
    assert all(x.p_value >= y.p_value for x, y in pairwise(results))
    assert all(y.upper - y.lower <= x.upper - x.lower for x, y in pairwise(results))


def test_too_few_observations_say_nothing():
    small = summarise([1, 0, 1], is_binary=True)
    result = look(small, small, tau=0.1, alpha=ALPHA)
    assert result.p_value == 1.0 and math.isinf(result.lower) and not result.is_significant
    assert math.isinf(mean_interval(small, tau=0.1, alpha=ALPHA).upper)
    assert summarise([]).n == 0


def test_arm_interval_narrows_with_data_and_covers_the_mean():
    rng = np.random.default_rng(3)
    data = rng.binomial(1, 0.4, 4000)
    wide = mean_interval(summarise(data[:100], is_binary=True), tau=0.1, alpha=ALPHA)
    narrow = mean_interval(summarise(data, is_binary=True), tau=0.1, alpha=ALPHA)
    assert narrow.upper - narrow.lower < wide.upper - wide.lower
    assert narrow.lower < 0.4 < narrow.upper


def test_all_correct_arm_still_has_variance():
    perfect = summarise([1.0] * MIN_OBSERVATIONS, is_binary=True)
    assert perfect.variance > 0
    results = sequential_test([(perfect, ArmSummary(10, 0.5, 0.25))], tau=0.1, alpha=ALPHA)
    assert results[0].difference == pytest.approx(-0.5)
