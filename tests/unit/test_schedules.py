from datetime import UTC, datetime

import pytest

from modelyard.domain.schedules import next_runs, normalize_cron
from modelyard.errors import InvalidInputError


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("61 * * * *", "minute must be 0-59"),
        ("0 24 * * *", "hour must be 0-23"),
        ("0 0 0 * *", "day of month must be 1-31"),
        ("0 0 * 13 *", "month must be 1-12"),
        ("0 0 * * 8", "day of week must be 0-7"),
        ("* * *", "it has 3 field(s)"),
        ("*/0 * * * *", "minute step must be at least 1"),
        ("5-1 * * * *", "minute range 5-1 runs backwards"),
        ("x * * * *", "minute 'x' is not a number"),
        ("@often", "use one of @yearly"),
        ("", "it is empty"),
    ],
)
def test_a_bad_cron_expression_says_which_field_is_wrong(cron, reason):
    with pytest.raises(InvalidInputError) as caught:
        normalize_cron(cron)
    assert caught.value.code == "schedule.bad_cron"
    assert caught.value.message.startswith(f"'{cron}' is not a valid cron expression: {reason}")


def test_the_exact_message_for_an_out_of_range_minute():
    with pytest.raises(InvalidInputError) as caught:
        normalize_cron("61 * * * *")
    assert (
        caught.value.message == "'61 * * * *' is not a valid cron expression: minute must be 0-59"
    )


@pytest.mark.parametrize(
    "cron", ["*/5 * * * *", "0 6 * * mon-fri", "0 0 1 jan *", "@daily", "0,30 8-18 * * 1-5"]
)
def test_good_cron_expressions_pass(cron):
    assert normalize_cron(f"  {cron} ") == cron.lower() if cron.startswith("@") else cron


def test_next_runs_are_in_utc_and_follow_the_time_zone():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    runs = next_runs("0 6 * * *", "Europe/Berlin", start, 2)
    assert runs == [datetime(2026, 1, 1, 5, tzinfo=UTC), datetime(2026, 1, 2, 5, tzinfo=UTC)]
    assert next_runs("*/5 * * * *", "UTC", datetime(2026, 1, 1, 0, 5, tzinfo=UTC))[0] == datetime(
        2026, 1, 1, 0, 10, tzinfo=UTC
    )


def test_unknown_time_zones_and_counts_are_refused():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInputError, match="Unknown time zone 'Mars/Base'"):
        next_runs("@daily", "Mars/Base", start)
    with pytest.raises(InvalidInputError, match="1 to 50"):
        next_runs("@daily", "UTC", start, 51)
