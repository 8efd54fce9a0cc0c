"""Shift arithmetic: weekly patterns as UTC stretches, agent counts, what is left uncovered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truedesk.calendars.business_time import InvalidHours, NaiveDatetime
from truedesk.workforce.coverage import (
    WeeklyPattern,
    covered,
    extend_ends,
    format_weekdays,
    merge,
    subtract,
    weekly_spans,
)

VILNIUS = ZoneInfo("Europe/Vilnius")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekday_pattern_gives_one_stretch_per_working_day_in_utc():
    pattern = WeeklyPattern(frozenset(range(5)), time(8), time(20), "Europe/Vilnius")

    spans = weekly_spans(pattern, utc(2026, 3, 1), utc(2026, 3, 8))

    assert spans == [(utc(2026, 3, d, 6), utc(2026, 3, d, 18)) for d in range(2, 7)]


def test_a_night_shift_belongs_to_the_day_it_starts_and_runs_into_the_window():
    nights = WeeklyPattern(frozenset({6}), time(22), time(6), "Europe/Vilnius")  # Sunday nights

    spans = weekly_spans(nights, utc(2026, 3, 2), utc(2026, 3, 3))  # Monday, UTC

    assert spans == [(utc(2026, 3, 2), utc(2026, 3, 2, 4))]


def test_the_night_the_clocks_go_forward_is_an_hour_shorter():
    nights = WeeklyPattern(frozenset({5}), time(22), time(6), "Europe/Vilnius")

    ((start, end),) = weekly_spans(nights, utc(2026, 3, 28), utc(2026, 3, 30))

    assert end - start == timedelta(hours=7)
    assert end.astimezone(VILNIUS).hour == 6


def test_valid_dates_bound_the_days_a_shift_starts_on():
    pattern = WeeklyPattern(
        frozenset(range(7)), time(9), time(17), "UTC", date(2026, 3, 3), date(2026, 3, 4)
    )

    spans = weekly_spans(pattern, utc(2026, 3, 1), utc(2026, 3, 8))

    assert spans == [
        (utc(2026, 3, 3, 9), utc(2026, 3, 3, 17)),
        (utc(2026, 3, 4, 9), utc(2026, 3, 4, 17)),
    ]


def test_a_pattern_needs_weekdays_local_times_and_a_known_zone():
    with pytest.raises(InvalidHours):
        WeeklyPattern(frozenset(), time(8), time(9))
    with pytest.raises(InvalidHours):
        WeeklyPattern(frozenset({7}), time(8), time(9))
    with pytest.raises(InvalidHours):
        WeeklyPattern(frozenset({1}), time(8, tzinfo=UTC), time(9))
    with pytest.raises(ValueError):
        WeeklyPattern(frozenset({1}), time(8), time(9), "Mars/Olympus")
    with pytest.raises(NaiveDatetime):
        weekly_spans(
            WeeklyPattern(frozenset({1}), time(8), time(9)), datetime(2026, 1, 1), utc(2026, 2, 1)
        )


def test_an_agent_counts_once_however_many_of_their_shifts_overlap():
    alice = [(utc(2026, 3, 2, 8), utc(2026, 3, 2, 16)), (utc(2026, 3, 2, 12), utc(2026, 3, 2, 20))]
    bob = [(utc(2026, 3, 2, 14), utc(2026, 3, 2, 22))]

    assert covered([alice], minimum=2) == []
    assert covered([alice, bob], minimum=2) == [(utc(2026, 3, 2, 14), utc(2026, 3, 2, 20))]
    assert covered([alice, bob]) == [(utc(2026, 3, 2, 8), utc(2026, 3, 2, 22))]


def test_one_agent_handing_over_to_another_leaves_no_gap():
    early = [(utc(2026, 3, 2, 6), utc(2026, 3, 2, 14))]
    late = [(utc(2026, 3, 2, 14), utc(2026, 3, 2, 22))]

    assert covered([early, late]) == [(utc(2026, 3, 2, 6), utc(2026, 3, 2, 22))]


def test_subtract_leaves_exactly_the_uncovered_parts():
    required = [(utc(2026, 3, 2), utc(2026, 3, 3))]
    present = [
        (utc(2026, 3, 2, 8), utc(2026, 3, 2, 12)),
        (utc(2026, 3, 2, 13), utc(2026, 3, 2, 20)),
    ]

    assert subtract(required, present) == [
        (utc(2026, 3, 2), utc(2026, 3, 2, 8)),
        (utc(2026, 3, 2, 12), utc(2026, 3, 2, 13)),
        (utc(2026, 3, 2, 20), utc(2026, 3, 3)),
    ]


def test_a_response_window_lengthens_each_stretch_at_its_end():
    spans = [(utc(2026, 3, 2, 8), utc(2026, 3, 2, 17)), (utc(2026, 3, 2, 18), utc(2026, 3, 2, 19))]

    assert extend_ends(spans, timedelta(hours=2)) == [(utc(2026, 3, 2, 8), utc(2026, 3, 2, 21))]


def test_weekdays_are_written_as_ranges_when_three_or_more_follow_each_other():
    assert format_weekdays(range(5)) == "Mon\u2013Fri"
    assert format_weekdays({0, 2, 5, 6}) == "Mon, Wed, Sat, Sun"


stretch = st.tuples(st.integers(0, 200), st.integers(1, 50)).map(
    lambda p: (
        utc(2026, 3, 1) + timedelta(hours=p[0]),
        utc(2026, 3, 1) + timedelta(hours=p[0] + p[1]),
    )
)


@given(st.lists(stretch, max_size=8), st.lists(stretch, max_size=8))
def test_what_is_missing_and_what_is_there_make_up_what_was_required(required, present):
    missing = subtract(required, present)
    hours = {
        h
        for a, b in merge(required)
        for h in range(int(a.timestamp()) // 3600, int(b.timestamp()) // 3600)
    }
    there = {
        h
        for a, b in merge(present)
        for h in range(int(a.timestamp()) // 3600, int(b.timestamp()) // 3600)
    }
    gone = {
        h for a, b in missing for h in range(int(a.timestamp()) // 3600, int(b.timestamp()) // 3600)
    }

    assert gone == hours - there
