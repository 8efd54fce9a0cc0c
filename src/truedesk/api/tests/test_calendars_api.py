"""Calendars and availability through the API: staff read hours and ask whether it is open.

7 March 2026 is a Saturday; Vilnius is on winter time (UTC+2) until 29 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from truedesk.calendars.actions import (
    add_calendar_exception,
    assign_department_calendar,
    create_calendar,
)

OFFICE_HOURS = {day: [(time(8), time(17))] for day in range(5)}
SATURDAY_10_VILNIUS = datetime(2026, 3, 7, 8, 0, tzinfo=UTC)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def office(world):
    """Mon-Fri 08:00-17:00 Europe/Vilnius with Lithuanian holidays; closed on 2 Jan 2026."""
    calendar = create_calendar(
        acting_user=world.carol,
        name="Vilnius office",
        time_zone="Europe/Vilnius",
        country="LT",
        hours=OFFICE_HOURS,
    )
    add_calendar_exception(
        acting_user=world.carol,
        calendar=calendar,
        day=date(2026, 1, 2),
        kind="closed",
        note="Stocktaking",
    )
    calendar.refresh_from_db()
    return calendar


def _paths(world, office):
    return [
        "/calendars",
        f"/calendars/{office.pk}",
        f"/calendars/{office.pk}/availability",
        f"/departments/{world.support.pk}/availability",
    ]


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [(None, 401, "unauthenticated"), ("dave", 403, "not_allowed"), ("erin", 404, "not_found")],
)
def test_only_staff_may_read_calendars_and_availability(api, world, office, who, status, code):
    for path in _paths(world, office):
        reply = api.get(path, as_=who)

        assert (reply.status, reply.body["code"]) == (status, code), path


def test_an_agent_may_read_every_calendar_endpoint(api, world, office):
    for path in _paths(world, office):
        assert api.get(path, as_="alice").status == 200, path


def test_a_calendar_shows_its_time_zone_country_weekly_hours_and_exceptions(api, office):
    reply = api.get(f"/calendars/{office.pk}", as_="alice")

    body = reply.body
    assert (body["name"], body["time_zone"], body["country"]) == (
        "Vilnius office",
        "Europe/Vilnius",
        "LT",
    )
    assert body["always_open"] is False
    assert [day["weekday"] for day in body["weekly_hours"]] == [0, 1, 2, 3, 4, 5, 6]
    assert body["weekly_hours"][0]["name"] == "Monday"
    assert body["weekly_hours"][4]["intervals"] == [{"start": "08:00", "end": "17:00"}]
    assert body["weekly_hours"][5]["intervals"] == []
    assert body["exceptions"] == [
        {"date": "2026-01-02", "kind": "closed", "intervals": [], "note": "Stocktaking"}
    ]


def test_the_list_has_every_calendar_by_name(api, world, office):
    create_calendar(acting_user=world.carol, name="Always on", always_open=True)

    reply = api.get("/calendars", as_="alice")

    assert [item["name"] for item in reply.body] == ["Always on", "Vilnius office"]
    assert reply.body[0]["always_open"] is True


@time_machine.travel(SATURDAY_10_VILNIUS, tick=False)
def test_on_saturday_morning_the_office_is_closed_until_monday_8_vilnius_time(api, office):
    reply = api.get(f"/calendars/{office.pk}/availability", as_="alice")

    assert reply.status == 200
    assert reply.body["open"] is False
    assert _utc(reply.body["next_open_at"]) == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
    assert reply.body["closes_at"] is None
    assert reply.body["calendar"] == "Vilnius office"
    assert _utc(reply.body["at"]) == SATURDAY_10_VILNIUS


def test_during_office_hours_it_is_open_and_says_when_it_closes(api, office):
    reply = api.get(
        f"/calendars/{office.pk}/availability",
        as_="alice",
        query={"at": "2026-03-10T12:00:00+02:00"},
    )

    assert reply.body["open"] is True
    assert reply.body["next_open_at"] is None
    assert _utc(reply.body["closes_at"]) == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_a_public_holiday_keeps_a_weekday_closed(api, office):
    # 11 March: Restoration of Independence Day in Lithuania.
    reply = api.get(
        f"/calendars/{office.pk}/availability",
        as_="alice",
        query={"at": "2026-03-11T10:00:00+02:00"},
    )

    assert reply.body["open"] is False
    assert _utc(reply.body["next_open_at"]) == datetime(2026, 3, 12, 6, 0, tzinfo=UTC)


@time_machine.travel(SATURDAY_10_VILNIUS, tick=False)
def test_a_department_keeping_the_office_hours_is_closed_on_saturday(api, world, office):
    assign_department_calendar(acting_user=world.carol, department=world.support, calendar=office)

    reply = api.get(f"/departments/{world.support.pk}/availability", as_="alice")

    assert reply.body["open"] is False
    assert _utc(reply.body["next_open_at"]) == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
    assert reply.body["department"] == {
        "id": world.support.pk,
        "slug": world.support.slug,
        "name": world.support.name,
    }


@time_machine.travel(SATURDAY_10_VILNIUS, tick=False)
def test_a_department_without_hours_is_always_open(api, world):
    reply = api.get(f"/departments/{world.billing.pk}/availability", as_="alice")

    assert reply.body["open"] is True
    assert reply.body["closes_at"] is None
    assert reply.body["calendar"] == ""


@pytest.mark.parametrize(
    "path",
    ["/calendars/999999", "/calendars/999999/availability", "/departments/999999/availability"],
)
def test_unknown_ids_are_404(api, world, path):
    reply = api.get(path, as_="alice")

    assert reply.status == 404
    assert reply.body["code"] == "not_found"


@pytest.mark.parametrize(
    "at", ["2026-03-07T10:00:00", "9999-12-31T23:00:00+00:00", "tomorrow", "1800-01-01T00:00Z"]
)
def test_a_moment_without_offset_or_out_of_range_is_refused_clearly(api, office, at):
    reply = api.get(f"/calendars/{office.pk}/availability", as_="alice", query={"at": at})

    assert reply.status == 422
    assert reply.body["code"] == "invalid_input"
