"""Traffic arms, weighted routing and canary plans (pure domain)."""

import random

import pytest

from modelyard.domain.traffic import (
    Arm,
    ArmRole,
    advance,
    canary_arms,
    check_steps,
    percentile,
    pick_arm,
    primary_arm,
    shadow_arm,
    start_canary,
    validate_arms,
)
from modelyard.errors import ConflictError, InvalidInputError

SHADOW = ArmRole.SHADOW


def test_valid_arms_pass_and_shadow_weight_is_zeroed():
    arms = validate_arms(
        [
            Arm(model_version_id=1, weight=80),
            Arm(model_version_id=2, weight=20),
            Arm(model_version_id=3, weight=7, role=SHADOW),
        ]
    )
    assert [a.weight for a in arms] == [80, 20, 0]
    assert shadow_arm(arms).model_version_id == 3
    assert primary_arm(arms).model_version_id == 1


@pytest.mark.parametrize(
    ("arms", "code"),
    [
        ([Arm(model_version_id=1, weight=70), Arm(model_version_id=2, weight=20)], "weights_sum"),
        ([Arm(model_version_id=1, weight=100, role=SHADOW)], "no_live_arm"),
        ([Arm(model_version_id=1, weight=50), Arm(model_version_id=1, weight=50)], "duplicate"),
        (
            [
                Arm(model_version_id=1, weight=100),
                Arm(model_version_id=2, role=SHADOW),
                Arm(model_version_id=3, role=SHADOW),
            ],
            "many_shadows",
        ),
        ([Arm(model_version_id=1, weight=120), Arm(model_version_id=2, weight=-20)], "weight"),
    ],
)
def test_invalid_arms_are_refused_with_a_code(arms, code):
    with pytest.raises(InvalidInputError) as info:
        validate_arms(arms)
    assert code in info.value.code


def test_weighted_routing_lands_near_80_20_over_2000_requests():
    arms = [Arm(model_version_id=1, weight=80), Arm(model_version_id=2, weight=20)]
    rng = random.Random(7)
    picks = [pick_arm(arms, rng=rng).model_version_id for _ in range(2000)]
    assert abs(picks.count(1) / 2000 - 0.8) < 0.03
    keyed = [pick_arm(arms, f"customer-{i}").model_version_id for i in range(2000)]
    assert abs(keyed.count(1) / 2000 - 0.8) < 0.03


def test_routing_key_is_sticky_and_shadow_never_answers():
    arms = [
        Arm(model_version_id=1, weight=50),
        Arm(model_version_id=2, weight=50),
        Arm(model_version_id=3, role=SHADOW),
    ]
    for key in ("a", "b", "c", "customer-42"):
        first = pick_arm(arms, key)
        assert all(pick_arm(arms, key) == first for _ in range(20))
    assert all(pick_arm(arms).model_version_id != 3 for _ in range(500))


def test_canary_steps_advance_to_100_and_abort_returns_the_baseline():
    baseline = [Arm(model_version_id=1, weight=70), Arm(model_version_id=2, weight=30)]
    state = start_canary(baseline, 9, [5, 25, 50])
    assert state.steps == [5, 25, 50, 100]
    arms = validate_arms(canary_arms(state))
    assert {a.model_version_id: a.weight for a in arms} == {1: 67, 2: 28, 9: 5}
    while not state.is_last_step:
        state = advance(state)
        assert sum(a.weight for a in canary_arms(state)) == 100
    assert canary_arms(state) == [Arm(model_version_id=9, weight=100)]
    with pytest.raises(ConflictError):
        advance(state)
    assert state.baseline == baseline
    with pytest.raises(ConflictError, match="already takes live traffic"):
        start_canary(baseline, 1, [10])
    with pytest.raises(InvalidInputError):
        check_steps([50, 10])


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(range(1, 101)), 95) == 95.0
