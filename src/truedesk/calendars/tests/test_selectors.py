"""Whether departments and channels are open, from their calendars (time frozen)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from truedesk.calendars import errors, selectors
from truedesk.calendars.actions import (
    add_calendar_exception,
    assign_channel_calendar,
    assign_department_calendar,
    set_weekly_hours,
)

VILNIUS = ZoneInfo("Europe/Vilnius")
SATURDAY_MORNING = datetime(2026, 3, 7, 10, tzinfo=VILNIUS)
WEDNESDAY_NOON = datetime(2026, 3, 4, 12, tzinfo=VILNIUS)


@pytest.fixture
def closed_billing(world, office):
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=office)
    return world.billing


@time_machine.travel(SATURDAY_MORNING, tick=False)
def test_billing_is_closed_on_saturday_and_opens_monday_0800_vilnius_time(closed_billing):
    assert not selectors.is_department_open(closed_billing)
    opening = selectors.next_department_opening(closed_billing)
    assert opening == datetime(2026, 3, 9, 6, tzinfo=UTC) == datetime(2026, 3, 9, 8, tzinfo=VILNIUS)
    assert selectors.department_availability(closed_billing) == selectors.Availability(
        open=False, next_open_at=opening, closes_at=None, calendar_name="Vilnius office"
    )


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_an_open_department_says_when_it_closes(closed_billing):
    assert selectors.is_department_open(closed_billing)
    assert selectors.next_department_opening(closed_billing) == WEDNESDAY_NOON
    state = selectors.department_availability(closed_billing)
    assert state.open and state.closes_at == datetime(2026, 3, 4, 15, tzinfo=UTC)


@time_machine.travel(SATURDAY_MORNING, tick=False)
def test_a_department_without_a_calendar_is_always_open(world, closed_billing):
    assert selectors.get_department_calendar(world.support) is None
    assert selectors.is_department_open(world.support)
    assert selectors.next_department_opening(world.support) == SATURDAY_MORNING
    assert selectors.department_availability(world.support) == selectors.ALWAYS_OPEN


def test_an_explicit_moment_overrides_now(closed_billing):
    assert selectors.is_department_open(closed_billing, WEDNESDAY_NOON)
    assert not selectors.is_department_open(closed_billing, SATURDAY_MORNING)


def test_a_public_holiday_closes_the_department(closed_billing):
    christmas_eve = datetime(2026, 12, 24, 10, tzinfo=VILNIUS)
    assert not selectors.is_department_open(closed_billing, christmas_eve)
    assert selectors.next_department_opening(closed_billing, christmas_eve) == datetime(
        2026, 12, 28, 8, tzinfo=VILNIUS
    )


def test_new_hours_and_exceptions_take_effect_on_the_next_read(world, office, closed_billing):
    assert not selectors.is_department_open(closed_billing, SATURDAY_MORNING)
    set_weekly_hours(acting_user=world.carol, calendar=office, hours={5: [(time(9), time(13))]})
    assert selectors.is_department_open(closed_billing, SATURDAY_MORNING)
    add_calendar_exception(
        acting_user=world.carol, calendar=office, day=SATURDAY_MORNING.date(), kind="closed"
    )
    assert not selectors.is_department_open(closed_billing, SATURDAY_MORNING)


def test_reading_a_departments_availability_is_one_query_once_compiled(
    closed_billing, django_assert_num_queries
):
    selectors.department_availability(closed_billing, SATURDAY_MORNING)
    with django_assert_num_queries(1):
        selectors.department_availability(closed_billing, SATURDAY_MORNING)


def test_listing_every_departments_availability_takes_four_queries(
    world, closed_billing, django_assert_num_queries
):
    with django_assert_num_queries(4):
        listing = selectors.list_department_availability(SATURDAY_MORNING)
    assert [(department.slug, state.open) for department, state in listing] == [
        ("billing", False),
        ("support", True),
    ]


@time_machine.travel(datetime(2026, 3, 7, 23, tzinfo=VILNIUS), tick=False)
def test_a_channel_keeps_its_own_hours(world, office):
    assign_channel_calendar(acting_user=world.carol, channel="phone", calendar=office)
    assert not selectors.is_channel_open("phone")
    assert selectors.next_channel_opening("phone") == datetime(2026, 3, 9, 8, tzinfo=VILNIUS)
    assert selectors.channel_availability("phone").calendar_name == "Vilnius office"
    assert selectors.is_channel_open("email"), "no calendar: always open"
    with pytest.raises(errors.InvalidChannel):
        selectors.is_channel_open("pigeon")


def test_a_calendar_is_found_by_id_or_refused(office):
    assert selectors.get_calendar(str(office.pk)) == office
    for bad in (office.pk + 1, "x", None):
        with pytest.raises(errors.CalendarNotFound):
            selectors.get_calendar(bad)
