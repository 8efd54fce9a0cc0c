"""Published service levels against the schedule: every gap, exactly (issue 3, seed 003).

Weeks are checked in Europe/Vilnius; 2 March 2026 is a Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from truedesk.calendars.actions import create_calendar
from truedesk.workforce.actions import (
    ServiceLevelTerms,
    add_one_off_shift,
    add_weekly_shift,
    publish_service_level,
)
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.selectors import (
    agent_shift_availability,
    agents_on_shift,
    check_published_service_levels,
    staffed_intervals,
)

VILNIUS = ZoneInfo("Europe/Vilnius")
MONDAY = date(2026, 3, 2)
WEEKDAYS = frozenset(range(5))

WEEKNIGHTS = [
    "nobody scheduled Mon 20:00 \u2013 Tue 08:00 (12 h/week)",
    "nobody scheduled Tue 20:00 \u2013 Wed 08:00 (12 h/week)",
    "nobody scheduled Wed 20:00 \u2013 Thu 08:00 (12 h/week)",
    "nobody scheduled Thu 20:00 \u2013 Fri 08:00 (12 h/week)",
]


def _shift(world, agent, days, start, end, **fields):
    pattern = WeeklyPattern(frozenset(days), time(start), time(end), "Europe/Vilnius")
    return add_weekly_shift(acting_user=world.carol, agent=agent, pattern=pattern, **fields)


def _level(world, text="Phone support 24/7", **fields):
    terms = ServiceLevelTerms(text=text, **fields)
    return publish_service_level(acting_user=world.carol, terms=terms)


@pytest.fixture
def weekday_phones(world):
    """alice and bob answer the phone Mon-Fri 08:00-20:00."""
    for agent in (world.alice, world.bob):
        _shift(world, agent, WEEKDAYS, 8, 20, channel="phone")


def test_24_7_against_a_weekday_schedule_reports_the_weekend_and_every_night(world, weekday_phones):
    _level(world, channel="phone")

    gaps = check_published_service_levels(week_start=MONDAY)

    assert [gap.what for gap in gaps] == [
        *WEEKNIGHTS,
        "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)",
    ]
    weekend = gaps[-1]
    assert weekend.description == (
        "Phone support 24/7: nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)"
    )
    assert weekend.hours_per_week == 60
    assert weekend.start == datetime(2026, 3, 6, 20, tzinfo=VILNIUS)
    assert weekend.end == datetime(2026, 3, 9, 8, tzinfo=VILNIUS)


def test_the_issues_example_saturday_staffed_leaves_saturday_night_to_monday(world, weekday_phones):
    _shift(world, world.alice, {5}, 8, 20, channel="phone")
    _level(world, channel="phone")

    gaps = check_published_service_levels(week_start=MONDAY)

    assert gaps[-1].description == (
        "Phone support 24/7: nobody scheduled Sat 20:00 \u2013 Mon 08:00 (36 h/week)"
    )
    assert [gap.what for gap in gaps[:-1]] == [
        *WEEKNIGHTS,
        "nobody scheduled Fri 20:00 \u2013 Sat 08:00 (12 h/week)",
    ]


def test_the_same_gaps_whichever_day_the_week_checked_starts(world, weekday_phones):
    _shift(world, world.alice, {5}, 8, 20, channel="phone")
    _level(world, channel="phone")
    wednesday_noon = datetime(2026, 3, 4, 12, tzinfo=VILNIUS)

    with time_machine.travel(wednesday_noon, tick=False):
        from_today = check_published_service_levels()

    from_monday = check_published_service_levels(week_start=MONDAY)
    assert [gap.what for gap in from_today] == [gap.what for gap in from_monday]
    assert sum(gap.hours_per_week for gap in from_today) == 36 + 5 * 12


def test_the_week_the_clocks_go_forward_has_an_hour_less_of_weekend(world, weekday_phones):
    _level(world, channel="phone")

    gaps = check_published_service_levels(week_start=date(2026, 3, 23))

    assert gaps[-1].what == "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (59 h/week)"
    assert gaps[-1].end - gaps[-1].start == timedelta(hours=59)


def test_the_week_the_clocks_go_back_has_an_hour_more(world, weekday_phones):
    _level(world, channel="phone")

    gaps = check_published_service_levels(week_start=date(2026, 10, 19))

    assert gaps[-1].what == "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (61 h/week)"


def test_a_one_off_shift_fills_its_part_of_the_gap_that_week(world, weekday_phones):
    _level(world, channel="phone")
    add_one_off_shift(
        acting_user=world.carol,
        agent=world.carol,
        starts_at=datetime(2026, 3, 6, 20, tzinfo=VILNIUS),
        ends_at=datetime(2026, 3, 8, 20, tzinfo=VILNIUS),
        channel="phone",
    )

    this_week = check_published_service_levels(week_start=MONDAY)
    next_week = check_published_service_levels(week_start=MONDAY + timedelta(days=7))

    assert this_week[-1].what == "nobody scheduled Sun 20:00 \u2013 Mon 08:00 (12 h/week)"
    assert next_week[-1].what == "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)"


def test_a_minimum_of_two_agents_counts_each_agent_once(world):
    _shift(world, world.alice, WEEKDAYS, 8, 20)
    _shift(world, world.alice, WEEKDAYS, 10, 14)  # overlapping shifts of one agent
    _shift(world, world.bob, WEEKDAYS, 12, 20)
    _level(world, text="Two agents on the phone", minimum_agents=2)

    gaps = check_published_service_levels(week_start=MONDAY)

    assert gaps[0].what == "fewer than 2 agents scheduled Mon 20:00 \u2013 Tue 12:00 (16 h/week)"
    assert gaps[-1].what == "fewer than 2 agents scheduled Fri 20:00 \u2013 Mon 12:00 (64 h/week)"
    assert len(gaps) == 5


def test_promised_hours_from_a_calendar_are_checked_only_when_promised(world):
    chat_hours = create_calendar(
        acting_user=world.carol,
        name="Live chat Mon-Fri 8-20",
        hours={day: [(time(8), time(20))] for day in range(5)},
    )
    _shift(world, world.alice, WEEKDAYS, 9, 17, channel="chat")
    _level(world, text="Live chat Mon\u2013Fri 8\u201320", hours=chat_hours, channel="chat")

    gaps = check_published_service_levels(week_start=MONDAY)

    assert [gap.what for gap in gaps[:2]] == [
        "nobody scheduled Mon 08:00 \u2013 Mon 09:00 (1 h/week)",
        "nobody scheduled Mon 17:00 \u2013 Mon 20:00 (3 h/week)",
    ]
    assert len(gaps) == 10
    assert sum(gap.hours_per_week for gap in gaps) == 20


def test_a_call_back_window_needs_someone_after_the_hours_end(world):
    office = create_calendar(
        acting_user=world.carol,
        name="Office",
        hours={day: [(time(8), time(17))] for day in range(5)},
    )
    _shift(world, world.alice, WEEKDAYS, 8, 18)
    _level(
        world,
        text="Call-back within 2 hours",
        hours=office,
        response_within=timedelta(hours=2),
    )

    gaps = check_published_service_levels(week_start=MONDAY)

    assert [gap.what for gap in gaps] == [
        f"nobody scheduled {day} 18:00 \u2013 {day} 19:00 (1 h/week)"
        for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]


def test_only_the_levels_department_and_channel_count(world, weekday_phones):
    _shift(world, world.carol, range(7), 0, 0, channel="chat")
    _shift(world, world.bob, {5, 6}, 0, 0, department=world.support)
    _level(world, text="Billing by phone 24/7", channel="phone", department=world.billing)
    _level(world, text="Support 24/7", department=world.support)

    by_text: dict[str, list[str]] = {}
    for gap in check_published_service_levels(week_start=MONDAY):
        by_text.setdefault(gap.level.text, []).append(gap.what)

    assert by_text["Billing by phone 24/7"] == ["nobody scheduled all week (168 h/week)"]
    assert by_text["Support 24/7"] == ["nobody scheduled Mon 00:00 \u2013 Sat 00:00 (120 h/week)"]


def test_a_shift_for_every_channel_counts_for_the_phone(world):
    _shift(world, world.alice, range(7), 0, 0)
    _level(world, channel="phone")

    assert check_published_service_levels(week_start=MONDAY) == []


def test_a_deactivated_agent_is_not_on_shift(world, weekday_phones):
    _level(world, channel="phone")
    world.alice.is_active = False
    world.alice.save()
    world.bob.is_active = False
    world.bob.save()

    gaps = check_published_service_levels(week_start=MONDAY)

    assert [gap.what for gap in gaps] == ["nobody scheduled all week (168 h/week)"]


def test_a_withdrawn_level_is_not_checked(world, weekday_phones):
    from truedesk.workforce.actions import withdraw_service_level

    level = _level(world, channel="phone")
    withdraw_service_level(acting_user=world.carol, level=level)

    assert check_published_service_levels(week_start=MONDAY) == []


def test_staffed_intervals_and_who_is_on_shift_now(world, weekday_phones):
    _shift(world, world.carol, {0}, 18, 22, department=world.billing)
    monday_19 = datetime(2026, 3, 2, 19, tzinfo=VILNIUS)

    two = staffed_intervals(
        start=datetime(2026, 3, 2, tzinfo=UTC), end=datetime(2026, 3, 3, tzinfo=UTC), minimum=2
    )

    assert two == [(datetime(2026, 3, 2, 6, tzinfo=UTC), datetime(2026, 3, 2, 18, tzinfo=UTC))]
    assert agents_on_shift(world.billing, monday_19) == [world.carol]
    assert agents_on_shift(None, monday_19) == [world.alice, world.bob, world.carol]
    assert agents_on_shift(world.billing, monday_19 + timedelta(hours=3)) == []


def test_an_agents_next_shift_is_known_and_no_shifts_means_no_answer(world, weekday_phones):
    saturday = datetime(2026, 3, 7, 10, tzinfo=VILNIUS)

    off = agent_shift_availability(world.alice, saturday)
    on = agent_shift_availability(world.alice, datetime(2026, 3, 9, 9, tzinfo=VILNIUS))

    assert off is not None and not off.open
    assert off.next_open_at == datetime(2026, 3, 9, 6, tzinfo=UTC)
    assert on is not None and on.open
    assert on.closes_at == datetime(2026, 3, 9, 18, tzinfo=UTC)
    assert agent_shift_availability(world.carol, saturday) is None
