"""Properties of business-time arithmetic over random moments and durations (hypothesis)."""

import os
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from truedesk.calendars.business_time import (
    BusinessCalendar,
    WeeklyHours,
    add_business_time,
    business_time_between,
    is_open,
    next_close,
    next_open,
)

CALENDARS = [
    BusinessCalendar(
        time_zone="Europe/Vilnius",
        weekly=WeeklyHours.on_days(range(5), time(8), time(17)),
        country="LT",
    ),
    BusinessCalendar(
        time_zone="Europe/Vilnius",
        weekly=WeeklyHours.on_days(range(5), time(22), time(6)),
        country="LT",
    ),
    BusinessCalendar(
        time_zone="America/New_York",
        weekly=WeeklyHours.from_mapping(
            {0: [(time(9), time(12)), (time(13), time(17))], 5: [(time(10), time(14))]}
        ),
        country="US",
    ),
    BusinessCalendar(
        time_zone="Europe/Vilnius",
        weekly=WeeklyHours.on_days(range(7), time(3, 30), time(3, 30)),
        country="LT",
    ),
]

calendars = st.sampled_from(CALENDARS)
# Two years around 2026, both clock changes included, to the microsecond.
moments = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "300")), deadline=None
)


@PROPERTY_SETTINGS
@given(calendars, moments, durations)
def test_the_business_time_up_to_a_deadline_is_the_duration_added(cal, start, duration):
    deadline = add_business_time(cal, start, duration)
    assert deadline >= start
    assert business_time_between(cal, start, deadline) == duration


@PROPERTY_SETTINGS
@given(calendars, moments, durations, durations)
def test_a_longer_duration_never_gives_an_earlier_deadline(cal, start, first, second):
    shorter, longer = sorted((first, second))
    assert add_business_time(cal, start, shorter) <= add_business_time(cal, start, longer)


@PROPERTY_SETTINGS
@given(calendars, moments, moments, moments)
def test_business_time_adds_up_over_consecutive_spans(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    total = business_time_between(cal, a, c)
    assert total == business_time_between(cal, a, b) + business_time_between(cal, b, c)
    assert timedelta(0) <= total <= c - a
    assert business_time_between(cal, c, a) == -total


@PROPERTY_SETTINGS
@given(calendars, moments)
def test_next_open_and_next_close_agree_with_is_open(cal, at):
    opening, closing = next_open(cal, at), next_close(cal, at)
    assert opening is not None and closing is not None
    assert is_open(cal, opening) and not is_open(cal, closing)
    assert (opening == at) == is_open(cal, at) == (closing > at)
    # Nothing opens between `at` and the next opening.
    assert business_time_between(cal, at, opening) == timedelta(0)
