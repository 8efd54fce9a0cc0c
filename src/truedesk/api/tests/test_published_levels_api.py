"""Published service levels through the API: each level with the gaps the schedule leaves.

Weeks are checked in Europe/Vilnius; 2 March 2026 is a Monday.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from truedesk.calendars.actions import create_calendar
from truedesk.workforce.actions import (
    ServiceLevelTerms,
    add_weekly_shift,
    publish_service_level,
    withdraw_service_level,
)
from truedesk.workforce.coverage import WeeklyPattern

PATH = "/published-service-levels"
WEEK = {"week_start": "2026-03-02"}


def _publish(world, text="Phone support 24/7", **fields):
    terms = ServiceLevelTerms(text=text, **fields)
    return publish_service_level(acting_user=world.carol, terms=terms)


@pytest.fixture
def weekday_phones(world):
    """alice and bob answer the support phone Mon-Fri 08:00-20:00 Vilnius time."""
    pattern = WeeklyPattern(frozenset(range(5)), time(8), time(20), "Europe/Vilnius")
    for agent in (world.alice, world.bob):
        add_weekly_shift(
            acting_user=world.carol,
            agent=agent,
            pattern=pattern,
            channel="phone",
            department=world.support,
        )


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [(None, 401, "unauthenticated"), ("dave", 403, "not_allowed"), ("erin", 404, "not_found")],
)
def test_only_staff_may_read_published_service_levels(api, world, who, status, code):
    _publish(world)

    reply = api.get(PATH, as_=who)

    assert (reply.status, reply.body["code"]) == (status, code)


def test_24_7_against_weekday_shifts_lists_the_weekend_gap(api, world, weekday_phones):
    level = _publish(world, channel="phone", department=world.support)

    reply = api.get(PATH, as_="alice", query=WEEK)

    assert reply.status == 200
    [item] = reply.body
    assert item["id"] == level.pk
    assert item["text"] == "Phone support 24/7"
    assert item["channel"] == "phone"
    assert item["department"]["id"] == world.support.pk
    assert item["hours"] is None
    weekend = item["gaps"][-1]
    assert weekend["what"] == "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)"
    assert weekend["description"].startswith("Phone support 24/7: ")
    assert weekend["hours_per_week"] == 60
    assert datetime.fromisoformat(weekend["start"].replace("Z", "+00:00")) == datetime(
        2026, 3, 6, 18, tzinfo=UTC
    )
    assert weekend["local_end"] == "2026-03-09T08:00:00+02:00"
    # Four weeknights of 12 hours and the weekend.
    assert len(item["gaps"]) == 5
    assert item["gap_hours_per_week"] == 4 * 12 + 60


def test_a_level_the_schedule_keeps_has_no_gaps(api, world, weekday_phones):
    office = create_calendar(
        acting_user=world.carol,
        name="Phone hours",
        hours={day: [(time(9), time(17))] for day in range(5)},
    )
    _publish(world, text="Phones answered 9-17 on weekdays", hours=office, channel="phone",
             response_within=timedelta(hours=2))  # fmt: skip

    reply = api.get(PATH, as_="alice", query=WEEK)

    [item] = reply.body
    assert item["gaps"] == []
    assert item["gap_hours_per_week"] == 0
    assert item["hours"] == {"id": office.pk, "name": "Phone hours"}
    assert item["response_within_seconds"] == 7200


def test_withdrawn_levels_are_not_listed(api, world):
    level = _publish(world)
    withdraw_service_level(acting_user=world.carol, level=level)

    reply = api.get(PATH, as_="carol")

    assert reply.status == 200
    assert reply.body == []


@pytest.mark.parametrize("week_start", ["next week", "2026-02-30", "9999-12-27"])
def test_a_bad_week_start_is_refused_clearly(api, world, week_start):
    _publish(world)

    reply = api.get(PATH, as_="alice", query={"week_start": week_start})

    assert reply.status == 422
    assert reply.body["code"] == "invalid_input"
