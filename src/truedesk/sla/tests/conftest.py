"""SLA fixtures: a frozen clock, a Vilnius office calendar, policies and cases via the actions.

Case actions announce their events after the commit; inside a test's
transaction nothing commits, so `committed()` runs those announcements (and so
the SLA listener) as a real commit would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from truedesk.calendars.actions import create_calendar
from truedesk.calendars.models import BusinessCalendar
from truedesk.cases.actions import open_case
from truedesk.cases.models import Case
from truedesk.sla.actions import save_policy
from truedesk.sla.models import SlaClock, SlaPolicy
from truedesk.testing.personas import World

VILNIUS = ZoneInfo("Europe/Vilnius")
# Friday 13 February 2026, 15:00 in Vilnius. Monday 16 February is a Lithuanian
# public holiday (Restoration of the State Day), so the next business hours
# after Friday 17:00 start on Tuesday 08:00.
FRIDAY_3PM = datetime(2026, 2, 13, 15, 0, tzinfo=VILNIUS)
OFFICE_HOURS = {day: [(time(8), time(17))] for day in range(5)}


@pytest.fixture
def clock() -> Iterator[Any]:
    """Time stands still at FRIDAY_3PM until the test moves it."""
    with time_machine.travel(FRIDAY_3PM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with committed(): action(...)` runs the action's after-commit listeners."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def office(world: World) -> BusinessCalendar:
    """Mon-Fri 08:00-17:00 Europe/Vilnius with Lithuanian public holidays."""
    return create_calendar(
        acting_user=world.carol, name="Vilnius office", time_zone="Europe/Vilnius",
        country="LT", hours=OFFICE_HOURS,
    )  # fmt: skip


@pytest.fixture
def make_policy(world: World) -> Callable[..., SlaPolicy]:
    """Save a policy through the action (carol); 24/7 with a 4-hour first response by default."""

    def make(**values: Any) -> SlaPolicy:
        values.setdefault("name", f"Policy {SlaPolicy.objects.count() + 1}")
        if not any(key.endswith("_minutes") and key != "warning_minutes" for key in values):
            values["first_response_minutes"] = 240
        return save_policy(acting_user=world.carol, policy=SlaPolicy(**values))

    return make


@pytest.fixture
def standard(make_policy: Callable[..., SlaPolicy], office: BusinessCalendar) -> SlaPolicy:
    """Office hours: first response 4 h, next response 8 h, resolution 5 business days."""
    return make_policy(
        name="Standard", calendar=office, first_response_minutes=240,
        next_response_minutes=480, resolution_minutes=2400,
    )  # fmt: skip


@pytest.fixture
def make_case(world: World, clock: Any, committed: Callable[[], Any]) -> Callable[..., Case]:
    """Open dave's case in Technical support (he writes in; alice logs it), listeners run."""

    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "acting_user": world.alice,
            "customer": world.dave,
            "subject": "Router keeps dropping the line",
            "body": "Since Monday the internet stops every evening.",
            "channel": "email",
            "department": world.support,
        }
        values.update(overrides)
        with committed():
            return open_case(**values)

    return make


def clocks_of(case: Case, metric: str | None = None) -> list[SlaClock]:
    """The case's clocks, oldest first, optionally of one metric."""
    rows = SlaClock.objects.filter(case=case).order_by("started_at", "pk")
    return list(rows.filter(metric=metric) if metric else rows)


def running(case: Case, metric: str) -> SlaClock:
    """The one unstopped clock of a metric on the case."""
    return SlaClock.objects.get(case=case, metric=metric, stopped_at__isnull=True)
