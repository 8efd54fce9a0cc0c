"""The calendar admin: open-now column, inline hours and exceptions, versioned saves."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.calendars.actions import assign_channel_calendar, assign_department_calendar
from truedesk.calendars.models import BusinessCalendar

VILNIUS = ZoneInfo("Europe/Vilnius")


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


def _calendar_form(calendar, intervals=(), exceptions=(), **fields):
    form = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "intervals-TOTAL_FORMS": str(len(intervals)),
        "intervals-INITIAL_FORMS": "0",
        "exceptions-TOTAL_FORMS": str(len(exceptions)),
        "exceptions-INITIAL_FORMS": "0",
        **fields,
    }
    for prefix, rows in (("intervals", intervals), ("exceptions", exceptions)):
        for i, row in enumerate(rows):
            form.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return form


@time_machine.travel(datetime(2026, 3, 7, 10, tzinfo=VILNIUS), tick=False)
def test_the_calendar_list_says_when_each_calendar_opens_next(admin_client, world, office):
    BusinessCalendar.objects.create(name="Hotline", always_open=True)
    page = admin_client.get(reverse("admin:calendars_businesscalendar_changelist"))
    assert page.status_code == 200
    assert "Closed, opens Mon 2026-03-09 08:00 EET" in page.content.decode()
    assert ">Open<" in page.content.decode()


@time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=VILNIUS), tick=False)
def test_department_and_channel_hours_pages_show_availability(admin_client, world, office):
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=office)
    assign_channel_calendar(acting_user=world.carol, channel="phone", calendar=office)
    for name in ("departmenthours", "channelhours"):
        page = admin_client.get(reverse(f"admin:calendars_{name}_changelist"))
        assert page.status_code == 200
        assert "Open until Wed 2026-03-04 17:00 EET" in page.content.decode()


def test_an_admin_save_with_new_rows_is_a_new_version_and_audited(admin_client, world, office):
    revision = office.revision
    url = reverse("admin:calendars_businesscalendar_change", args=[office.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        _calendar_form(
            office,
            intervals=[{"weekday": "5", "start": "09:00", "end": "13:00"}],
            exceptions=[{"date": "2026-12-24", "kind": "open", "hours": "09:00-12:00"}],
        ),
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.version == 2 and office.revision != revision
    assert office.intervals.filter(weekday=5).exists()
    assert office.exceptions.get().hours == "09:00-12:00"
    assert AuditEvent.objects.filter(action="calendar.changed_in_admin").exists()


@pytest.mark.parametrize(
    ("intervals", "exceptions", "fields", "message"),
    [
        (
            [
                {"weekday": "5", "start": "09:00", "end": "13:00"},
                {"weekday": "5", "start": "12:00", "end": "14:00"},
            ],
            [],
            {},
            "must not overlap",
        ),
        ([], [{"date": "2026-12-24", "kind": "open", "hours": ""}], {}, "Give the hours"),
        ([], [{"date": "2026-12-24", "kind": "open", "hours": "9 to 5"}], {}, "Write opening"),
        ([], [], {"country": "XX"}, "not known for that country"),
        ([], [], {"time_zone": "Mars/Olympus"}, "not a known time zone"),
    ],
)
def test_the_admin_refuses_bad_hours_exceptions_and_regions(
    admin_client, world, office, intervals, exceptions, fields, message
):
    url = reverse("admin:calendars_businesscalendar_change", args=[office.pk])
    response = admin_client.post(url, _calendar_form(office, intervals, exceptions, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    office.refresh_from_db()
    assert office.version == 1


def test_a_calendar_in_use_cannot_be_deleted(admin_client, world, office):
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=office)
    url = reverse("admin:calendars_businesscalendar_delete", args=[office.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200 and "Cannot delete" in response.content.decode()
    assert BusinessCalendar.objects.filter(pk=office.pk).exists()
