"""Supervisors create calendars, set hours and exceptions, and bind them; each change audited."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import AuditEvent
from truedesk.calendars import business_time as bt
from truedesk.calendars import errors, selectors
from truedesk.calendars.actions import (
    add_calendar_exception,
    assign_channel_calendar,
    assign_department_calendar,
    create_calendar,
    remove_calendar_exception,
    set_weekly_hours,
    update_calendar,
)
from truedesk.calendars.models import (
    BusinessCalendar,
    CalendarException,
    ChannelHours,
    DepartmentHours,
    OpeningInterval,
)

VILNIUS = ZoneInfo("Europe/Vilnius")


def test_a_supervisor_creates_a_calendar_with_hours_and_it_is_audited(world, office):
    assert (office.name, office.time_zone, office.country, office.version) == (
        "Vilnius office",
        "Europe/Vilnius",
        "LT",
        1,
    )
    assert OpeningInterval.objects.filter(calendar=office).count() == 5
    event = AuditEvent.objects.get(action="calendar.created")
    assert event.actor == world.carol and event.data["hours"]["0"] == "08:00-17:00"


def test_agents_and_customers_cannot_change_calendars(world, office):
    for user in (world.alice, world.dave_user):
        with pytest.raises(errors.NotAllowed):
            create_calendar(acting_user=user, name="Mine", time_zone="UTC")
        with pytest.raises(errors.NotAllowed):
            set_weekly_hours(acting_user=user, calendar=office, hours={})
        with pytest.raises(errors.NotAllowed):
            assign_department_calendar(acting_user=user, department=world.billing, calendar=office)
    assert not DepartmentHours.objects.exists()
    assert office.intervals.count() == 5


def test_the_system_may_create_calendars(world):
    calendar = create_calendar(acting_user=SystemActor("demo"), name="24/7", always_open=True)
    assert calendar.always_open
    assert AuditEvent.objects.get(action="calendar.created").actor_label == "demo"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": " "}, errors.InvalidName),
        ({"name": "x" * 121}, errors.InvalidName),
        ({"time_zone": "Mars/Olympus"}, errors.InvalidTimeZone),
        ({"country": "XX"}, errors.InvalidCountry),
        ({"country": "US", "subdivision": "ZZ"}, errors.InvalidCountry),
        ({"subdivision": "CA"}, errors.InvalidCountry),
        ({"hours": {0: [(time(8), time(12)), (time(11), time(17))]}}, errors.InvalidHours),
        ({"hours": {9: [(time(8), time(12))]}}, errors.InvalidHours),
        ({"hours": {0: [("08:00", "12:00")]}}, errors.InvalidHours),
    ],
)
def test_bad_calendars_are_refused_with_a_clear_code(world, fields, error):
    arguments = {"name": "Billing hours", "time_zone": "Europe/Vilnius", **fields}
    with pytest.raises(error) as caught:
        create_calendar(acting_user=world.carol, **arguments)
    assert caught.value.code == error.code and caught.value.http_status == 422
    assert not BusinessCalendar.objects.exists()


def test_calendar_names_are_unique(world, office):
    with pytest.raises(errors.CalendarNameTaken) as caught:
        create_calendar(acting_user=world.carol, name="Vilnius office")
    assert caught.value.http_status == 409


def test_lower_case_country_and_region_codes_are_accepted(world):
    calendar = create_calendar(
        acting_user=world.carol, name="California", country="us", subdivision="ca"
    )
    assert (calendar.country, calendar.subdivision) == ("US", "CA")


def test_setting_weekly_hours_replaces_them_and_bumps_the_version(world, office):
    revision = office.revision
    set_weekly_hours(
        acting_user=world.carol,
        calendar=office,
        hours={5: [(time(22), time(6))], 6: [(time(0), time(0))]},
        expected_version=1,
    )
    assert office.version == 2 and office.revision != revision
    assert [str(interval) for interval in office.intervals.all()] == [
        "Saturday 22:00-06:00",
        "Sunday 00:00-00:00",
    ]
    event = AuditEvent.objects.get(action="calendar.hours_set")
    assert event.data == {"hours": {"5": "22:00-06:00", "6": "00:00-00:00"}, "version": 2}


def test_a_stale_version_is_refused(world, office):
    set_weekly_hours(acting_user=world.carol, calendar=office, hours={})
    with pytest.raises(errors.StaleVersion) as caught:
        set_weekly_hours(acting_user=world.carol, calendar=office, hours={}, expected_version=1)
    assert caught.value.details == {"current_version": 2}


def test_updating_a_calendar_changes_its_zone_and_holidays(world, office):
    update_calendar(
        acting_user=world.carol,
        calendar=office,
        expected_version=1,
        time_zone="America/New_York",
        country="US",
    )
    assert (office.time_zone, office.country, office.version) == ("America/New_York", "US", 2)
    # The office hours now run 08:00-17:00 New York time: 12:00 UTC on 9 March 2026.
    value = selectors.business_calendar(office)
    assert not bt.is_open(value, datetime(2026, 3, 9, 11, 59, tzinfo=UTC))
    assert bt.is_open(value, datetime(2026, 3, 9, 12, tzinfo=UTC))
    event = AuditEvent.objects.get(action="calendar.updated")
    assert event.data["changes"]["time_zone"] == ["Europe/Vilnius", "America/New_York"]
    with pytest.raises(errors.CalendarError):
        update_calendar(acting_user=world.carol, calendar=office, colour="red")


def test_an_open_exception_overrides_a_holiday_and_a_closed_one_closes_a_weekday(world, office):
    add_calendar_exception(
        acting_user=world.carol,
        calendar=office,
        day=date(2026, 12, 24),
        kind="open",
        hours=[(time(9), time(13))],
        note="Christmas Eve morning",
    )
    closed = add_calendar_exception(
        acting_user=world.carol, calendar=office, day=date(2026, 3, 4), kind="closed"
    )
    assert office.version == 3
    value = selectors.business_calendar(office)
    assert bt.is_open(value, datetime(2026, 12, 24, 10, tzinfo=VILNIUS))
    assert not bt.is_open(value, datetime(2026, 3, 4, 10, tzinfo=VILNIUS))
    remove_calendar_exception(acting_user=world.carol, exception=closed)
    office.refresh_from_db()
    assert office.version == 4
    assert bt.is_open(selectors.business_calendar(office), datetime(2026, 3, 4, 10, tzinfo=VILNIUS))
    actions = list(
        AuditEvent.objects.filter(action__startswith="calendar.exception").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["calendar.exception_added"] * 2 + ["calendar.exception_removed"]


@pytest.mark.parametrize(
    ("kind", "hours", "error"),
    [
        ("open", [], errors.InvalidException),
        ("closed", [(time(9), time(13))], errors.InvalidException),
        ("maybe", [], errors.InvalidException),
        ("open", [(time(9), time(13)), (time(12), time(14))], errors.InvalidHours),
    ],
)
def test_bad_exceptions_are_refused(world, office, kind, hours, error):
    with pytest.raises(error):
        add_calendar_exception(
            acting_user=world.carol, calendar=office, day=date(2026, 5, 4), kind=kind, hours=hours
        )
    assert not CalendarException.objects.exists()
    office.refresh_from_db()
    assert office.version == 1


def test_one_exception_per_date(world, office):
    add_calendar_exception(
        acting_user=world.carol, calendar=office, day=date(2026, 5, 4), kind="closed"
    )
    with pytest.raises(errors.ExceptionExists) as caught:
        add_calendar_exception(
            acting_user=world.carol, calendar=office, day=date(2026, 5, 4), kind="closed"
        )
    assert caught.value.http_status == 409


def test_removing_an_exception_twice_is_refused(world, office):
    exception = add_calendar_exception(
        acting_user=world.carol, calendar=office, day=date(2026, 5, 4), kind="closed"
    )
    remove_calendar_exception(acting_user=world.carol, exception=exception)
    with pytest.raises(errors.ExceptionNotFound):
        remove_calendar_exception(acting_user=world.carol, exception=exception)


def test_departments_are_bound_to_a_calendar_and_unbound(world, office):
    binding = assign_department_calendar(
        acting_user=world.carol, department=world.billing, calendar=office
    )
    assert binding.calendar == office
    assert selectors.get_department_calendar(world.billing).name == "Vilnius office"
    assert (
        assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=None)
        is None
    )
    assert selectors.get_department_calendar(world.billing) is None
    events = AuditEvent.objects.filter(action="department.calendar_assigned").order_by("id")
    assert [event.data for event in events] == [
        {"before": None, "after": office.pk},
        {"before": office.pk, "after": None},
    ]


def test_channels_are_bound_to_a_calendar_and_unknown_channels_refused(world, office):
    assign_channel_calendar(acting_user=world.carol, channel="chat", calendar=office)
    assert ChannelHours.objects.get(channel="chat").calendar == office
    with pytest.raises(errors.InvalidChannel):
        assign_channel_calendar(acting_user=world.carol, channel="telex", calendar=office)
    assign_channel_calendar(acting_user=world.carol, channel="chat", calendar=None)
    assert not ChannelHours.objects.exists()
    assert AuditEvent.objects.filter(action="channel.calendar_assigned").count() == 2
