"""Business-time arithmetic: weekends, holidays, daylight saving, time zones (pure, no database)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from truedesk.calendars import business_time as bt
from truedesk.calendars.business_time import (
    BusinessCalendar,
    WeeklyHours,
    add_business_time,
    business_time_between,
    is_open,
    next_close,
    next_open,
    open_intervals,
)

VILNIUS = ZoneInfo("Europe/Vilnius")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)


def vilnius(*args):
    return datetime(*args, tzinfo=VILNIUS)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def office(**kwargs):
    """Mon-Fri 08:00-17:00 in Vilnius with Lithuanian public holidays."""
    return BusinessCalendar(
        time_zone="Europe/Vilnius",
        weekly=WeeklyHours.on_days(range(5), time(8), time(17)),
        country="LT",
        name="Billing",
        **kwargs,
    )


def sundays(start, end):
    return BusinessCalendar(
        time_zone="Europe/Vilnius", weekly=WeeklyHours.from_mapping({6: [(start, end)]})
    )


# --- Weekends and holidays ---------------------------------------------------------


def test_an_office_is_open_in_its_hours_and_closed_outside_them_and_at_weekends():
    cal = office()
    assert is_open(cal, vilnius(2026, 3, 4, 10))
    assert not is_open(cal, vilnius(2026, 3, 4, 7, 59))
    assert is_open(cal, vilnius(2026, 3, 4, 8))
    assert not is_open(cal, vilnius(2026, 3, 4, 17)), "closing time itself is closed"
    assert not is_open(cal, vilnius(2026, 3, 7, 12)), "Saturday"


def test_on_saturday_the_next_opening_is_monday_0800_local_given_in_utc():
    opening = next_open(office(), vilnius(2026, 3, 7, 10))
    assert opening == utc(2026, 3, 9, 6) and opening.tzinfo is UTC


def test_next_open_is_the_moment_itself_when_open_and_next_close_the_closing_time():
    cal = office()
    assert next_open(cal, vilnius(2026, 3, 4, 10)) == vilnius(2026, 3, 4, 10)
    assert next_close(cal, vilnius(2026, 3, 4, 10)) == utc(2026, 3, 4, 15)
    assert next_close(cal, vilnius(2026, 3, 7, 10)) == vilnius(2026, 3, 7, 10)


def test_a_lithuanian_public_holiday_is_closed_and_skipped():
    cal = office()
    assert not is_open(cal, vilnius(2026, 2, 16, 10)), "Restoration of the State, a Monday"
    assert next_open(cal, vilnius(2026, 2, 14, 10)) == utc(2026, 2, 17, 6)


def test_four_business_hours_from_friday_afternoon_end_on_monday_morning():
    deadline = add_business_time(office(), vilnius(2026, 3, 6, 15), 4 * H)
    assert deadline == vilnius(2026, 3, 9, 10) == utc(2026, 3, 9, 8)


def test_adding_business_time_skips_christmas_and_the_weekend_after_it():
    # Wed 23 Dec 16:00: one hour that day, Christmas Eve and Day (Thu, Fri) and
    # the weekend closed, the other three hours on Monday 28 December.
    deadline = add_business_time(office(), vilnius(2026, 12, 23, 16), 4 * H)
    assert deadline == vilnius(2026, 12, 28, 11)


def test_three_business_days_from_before_a_holiday_weekend():
    # Fri 13 Feb 09:00 + 27 h: 8 h Friday, Monday 16th is a holiday, 9 h each
    # on Tue and Wed, the last hour on Thursday 19th.
    deadline = add_business_time(office(), vilnius(2026, 2, 13, 9), 27 * H)
    assert deadline == vilnius(2026, 2, 19, 9)


def test_business_time_between_counts_only_open_hours_and_is_antisymmetric():
    cal = office()
    friday, monday = vilnius(2026, 3, 6, 15), vilnius(2026, 3, 9, 10)
    assert business_time_between(cal, friday, monday) == 4 * H
    assert business_time_between(cal, monday, friday) == -4 * H
    week = business_time_between(cal, vilnius(2026, 3, 2), vilnius(2026, 3, 9))
    assert week == 45 * H
    assert business_time_between(cal, friday, friday) == timedelta(0)


def test_an_extra_open_day_overrides_a_holiday_and_an_extra_closed_day_closes():
    cal = office(
        open_dates={date(2026, 12, 24): [(time(9), time(13))]},
        closed_dates={date(2026, 3, 4)},
    )
    assert is_open(cal, vilnius(2026, 12, 24, 10))
    assert not is_open(cal, vilnius(2026, 12, 24, 14))
    assert not is_open(cal, vilnius(2026, 3, 4, 10))
    assert next_open(cal, vilnius(2026, 3, 4, 10)) == vilnius(2026, 3, 5, 8)


def test_open_intervals_list_the_open_stretches_clipped_and_in_utc():
    stretches = list(open_intervals(office(), vilnius(2026, 3, 6, 12), vilnius(2026, 3, 9, 9)))
    assert stretches == [
        (utc(2026, 3, 6, 10), utc(2026, 3, 6, 15)),
        (utc(2026, 3, 9, 6), utc(2026, 3, 9, 7)),
    ]
    assert all(start.tzinfo is UTC for start, _end in stretches)


# --- Daylight saving (Vilnius: 2026-03-29 03:00 -> 04:00, 2026-10-25 04:00 -> 03:00) -------


def test_a_24_hour_desk_loses_an_hour_on_the_spring_forward_sunday():
    desk = BusinessCalendar(
        time_zone="Europe/Vilnius", weekly=WeeklyHours.on_days(range(7), time(0), time(0))
    )
    assert business_time_between(desk, vilnius(2026, 3, 29), vilnius(2026, 3, 30)) == 23 * H
    # 24 business hours from Saturday noon end at 13:00 on Sunday's wall clock.
    assert add_business_time(desk, vilnius(2026, 3, 28, 12), 24 * H) == vilnius(2026, 3, 29, 13)


def test_a_24_hour_desk_gains_an_hour_on_the_fall_back_sunday():
    desk = BusinessCalendar(
        time_zone="Europe/Vilnius", weekly=WeeklyHours.on_days(range(7), time(0), time(0))
    )
    assert business_time_between(desk, vilnius(2026, 10, 25), vilnius(2026, 10, 26)) == 25 * H


def test_night_hours_across_the_clock_change_last_their_real_length():
    assert (
        business_time_between(sundays(time(2), time(6)), vilnius(2026, 3, 29), vilnius(2026, 3, 30))
        == 3 * H
    )
    assert (
        business_time_between(
            sundays(time(2), time(6)), vilnius(2026, 10, 25), vilnius(2026, 10, 26)
        )
        == 5 * H
    )


def test_an_opening_time_skipped_by_spring_forward_opens_when_the_clocks_jump():
    cal = sundays(time(3, 30), time(5))
    assert (
        next_open(cal, vilnius(2026, 3, 28, 12)) == utc(2026, 3, 29, 1) == vilnius(2026, 3, 29, 4)
    )
    assert not is_open(cal, utc(2026, 3, 29, 0, 59))
    assert business_time_between(cal, vilnius(2026, 3, 29), vilnius(2026, 3, 30)) == H


def test_an_opening_time_that_happens_twice_at_fall_back_takes_the_first():
    cal = sundays(time(3, 30), time(5))
    # 03:30 EEST is 00:30 UTC; 05:00 EET is 03:00 UTC.
    assert next_open(cal, vilnius(2026, 10, 24, 12)) == utc(2026, 10, 25, 0, 30)
    assert next_close(cal, utc(2026, 10, 25, 1)) == utc(2026, 10, 25, 3)
    assert business_time_between(cal, vilnius(2026, 10, 25), vilnius(2026, 10, 26)) == 2.5 * H


def test_the_office_opens_at_0800_local_both_sides_of_the_clock_change():
    cal = office()
    assert next_open(cal, vilnius(2026, 3, 28, 12)) == utc(2026, 3, 30, 5), "08:00 EEST"
    assert next_open(cal, vilnius(2026, 3, 21, 12)) == utc(2026, 3, 23, 6), "08:00 EET"


# --- Time zones ------------------------------------------------------------------------


def new_york():
    return BusinessCalendar(
        time_zone="America/New_York",
        weekly=WeeklyHours.on_days(range(5), time(9), time(17)),
        country="US",
    )


def test_a_new_york_calendar_answers_utc_questions_in_new_york_hours():
    cal = new_york()
    # Monday 9 March 2026 is the first weekday on daylight time (UTC-4).
    assert not is_open(cal, utc(2026, 3, 9, 12, 59))
    assert is_open(cal, utc(2026, 3, 9, 13))
    assert next_open(cal, utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 13)
    # The Friday before, on standard time (UTC-5), it opened an hour later in UTC.
    assert next_open(cal, utc(2026, 3, 6, 12)) == utc(2026, 3, 6, 14)
    assert next_close(cal, utc(2026, 3, 6, 15)) == utc(2026, 3, 6, 22)


def test_the_zone_of_the_question_does_not_matter():
    cal = new_york()
    tokyo = datetime(2026, 3, 10, 1, 30, tzinfo=TOKYO)  # Monday 12:30 in New York
    assert is_open(cal, tokyo)
    assert add_business_time(cal, tokyo, 6 * H) == add_business_time(
        cal, tokyo.astimezone(UTC), 6 * H
    )
    assert add_business_time(cal, tokyo, 6 * H) == utc(2026, 3, 10, 14, 30)


def test_an_observed_us_holiday_is_closed():
    # 4 July 2026 is a Saturday; the federal holiday is observed on Friday 3 July.
    assert not is_open(new_york(), utc(2026, 7, 3, 15))
    assert next_open(new_york(), utc(2026, 7, 3, 15)) == utc(2026, 7, 6, 13)


# --- Overnight, 24/7 and never ------------------------------------------------------------


def night_shift():
    return BusinessCalendar(
        time_zone="Europe/Vilnius",
        weekly=WeeklyHours.on_days(range(5), time(22), time(6)),
        country="LT",
    )


def test_an_overnight_shift_runs_into_the_next_morning_and_weekend():
    cal = night_shift()
    assert is_open(cal, vilnius(2026, 3, 3, 3)), "Monday night's shift, Tuesday 03:00"
    assert is_open(cal, vilnius(2026, 3, 7, 3)), "Friday night's shift, Saturday 03:00"
    assert not is_open(cal, vilnius(2026, 3, 7, 22)), "no Saturday shift"
    assert not is_open(cal, vilnius(2026, 3, 9, 3)), "no Sunday shift"
    assert next_close(cal, vilnius(2026, 3, 6, 23)) == vilnius(2026, 3, 7, 6)


def test_a_holiday_cancels_the_shift_starting_on_it_not_the_one_running_into_it():
    cal = night_shift()  # Wednesday 11 March 2026 is a public holiday
    assert is_open(cal, vilnius(2026, 3, 11, 3))
    assert not is_open(cal, vilnius(2026, 3, 11, 23))
    assert next_open(cal, vilnius(2026, 3, 11, 12)) == vilnius(2026, 3, 12, 22)


def test_a_24_7_calendar_is_always_open_even_on_holidays_and_clock_changes():
    cal = BusinessCalendar(time_zone="Europe/Vilnius", always_open=True, country="LT")
    start = vilnius(2026, 3, 28, 12)
    assert is_open(cal, vilnius(2026, 12, 25, 3))
    assert next_close(cal, start) is None
    # Real elapsed time: Python's same-zone `start + 24 h` would be wall-clock time.
    assert add_business_time(cal, start, 24 * H) == utc(2026, 3, 29, 10)
    assert business_time_between(cal, start, vilnius(2026, 3, 30)) == timedelta(hours=35)


def test_24_hour_days_close_on_holidays_and_say_so():
    cal = BusinessCalendar(
        time_zone="Europe/Vilnius",
        weekly=WeeklyHours.on_days(range(7), time(0), time(0)),
        country="LT",
    )
    assert next_close(cal, vilnius(2026, 12, 20, 12)) == vilnius(2026, 12, 24)
    assert next_open(cal, vilnius(2026, 12, 24, 12)) == vilnius(2026, 12, 27)


def test_a_calendar_that_never_opens_has_no_next_opening_and_no_deadline():
    never = BusinessCalendar(time_zone="Europe/Vilnius")
    assert not is_open(never, utc(2026, 3, 4, 12))
    assert next_open(never, utc(2026, 3, 4, 12)) is None
    assert business_time_between(never, utc(2026, 3, 4), utc(2026, 4, 4)) == timedelta(0)
    with pytest.raises(bt.BeyondHorizon):
        add_business_time(never, utc(2026, 3, 4), H)


def test_an_opening_more_than_366_days_away_counts_as_none():
    cal = BusinessCalendar(
        time_zone="Europe/Vilnius", open_dates={date(2028, 1, 10): [(time(9), time(10))]}
    )
    assert next_open(cal, utc(2026, 3, 4)) is None
    assert next_open(cal, utc(2027, 3, 4)) == vilnius(2028, 1, 10, 9)
    assert add_business_time(cal, utc(2026, 3, 4), 30 * timedelta(minutes=1)) == vilnius(
        2028, 1, 10, 9, 30
    )
    with pytest.raises(bt.BeyondHorizon):
        add_business_time(cal, utc(2026, 3, 4), 2 * H)


# --- Refusals and helpers -----------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(bt.NaiveDatetime):
        is_open(office(), datetime(2026, 3, 4, 10))


def test_a_negative_duration_is_refused():
    with pytest.raises(ValueError):
        add_business_time(office(), utc(2026, 3, 4), -H)


def test_unknown_time_zones_countries_and_subdivisions_are_refused():
    with pytest.raises(bt.UnknownTimeZone):
        BusinessCalendar(time_zone="Mars/Olympus")
    with pytest.raises(bt.UnknownCountry):
        BusinessCalendar(time_zone="UTC", country="XX")
    with pytest.raises(bt.UnknownCountry):
        bt.holiday_dates("US", "ZZ", [2026])


def test_holiday_dates_come_from_the_holidays_package_per_country_and_region():
    lithuania = bt.holiday_dates("lt", None, [2026])
    assert {date(2026, 2, 16), date(2026, 12, 24), date(2026, 12, 25)} <= lithuania
    california = bt.holiday_dates("US", "CA", [2026])
    assert date(2026, 3, 31) in california, "Cesar Chavez Day"
    assert date(2026, 3, 31) not in bt.holiday_dates("US", None, [2026])


def test_overlapping_hours_and_bad_weekdays_are_refused():
    with pytest.raises(bt.InvalidHours):
        WeeklyHours.from_mapping({0: [(time(8), time(12)), (time(11), time(17))]})
    with pytest.raises(bt.InvalidHours):
        WeeklyHours.from_mapping({7: [(time(8), time(12))]})
    with pytest.raises(bt.InvalidHours):
        WeeklyHours.from_mapping({0: [(time(20), time(2)), (time(23), time(23, 30))]})


def test_hours_text_round_trips():
    hours = bt.parse_intervals("14:00-18:00, 9:00 \u2013 13:00")
    assert hours == ((time(9), time(13)), (time(14), time(18)))
    assert bt.format_intervals(hours) == "09:00-13:00, 14:00-18:00"
    assert bt.parse_intervals("22:00-24:00") == ((time(22), time(0)),)
    for bad in ("9-17", "25:00-26:00", "09:00-12:00, 11:00-13:00"):
        with pytest.raises(bt.InvalidHours):
            bt.parse_intervals(bad)


def test_equal_calendars_are_equal_and_hash_alike():
    assert office() == office() and hash(office()) == hash(office())
    assert office() != office(closed_dates={date(2026, 3, 4)})
