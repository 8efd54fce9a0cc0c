"""Fixtures for promise tests: a frozen clock, dave's case owned by alice, promises via actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from truedesk.cases.actions import open_case
from truedesk.cases.models import Case
from truedesk.promises.actions import record_promise
from truedesk.promises.models import Promise
from truedesk.testing.personas import World

VILNIUS = ZoneInfo("Europe/Vilnius")
# A Tuesday at noon in Vilnius: "we will call you back by 17:00 today".
NOON = datetime(2027, 3, 2, 12, 0, tzinfo=VILNIUS)
FIVE_PM = datetime(2027, 3, 2, 17, 0, tzinfo=VILNIUS)


@pytest.fixture
def clock() -> Iterator[Any]:
    """Time stands still at NOON until the test moves it (clock.move_to / clock.shift)."""
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_case(world: World, clock: Any) -> Callable[..., Case]:
    """Open a case for dave in Technical support, owned by alice, unless told otherwise."""

    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "acting_user": world.alice,
            "customer": world.dave,
            "subject": "No dial tone since Friday",
            "body": "The line has been dead for three days.",
            "channel": "phone",
            "department": world.support,
            "owner": world.alice,
        }
        values.update(overrides)
        return open_case(**values)

    return make


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case()


@pytest.fixture
def promise_on(world: World, clock: Any) -> Callable[..., Promise]:
    """Record a promise through the action: alice promises dave a call-back by 17:00."""

    def make(case: Case, **overrides: Any) -> Promise:
        values: dict[str, Any] = {
            "acting_user": world.alice,
            "case": case,
            "kind": Promise.Kind.CALL_BACK,
            "description": "We will call you back by 17:00 today about the dial tone.",
            "due_at": FIVE_PM,
        }
        values.update(overrides)
        return record_promise(**values)

    return make


@pytest.fixture
def promise(case: Case, promise_on: Callable[..., Promise]) -> Promise:
    return promise_on(case)


def later(**delta: float) -> datetime:
    """Now (the frozen clock) plus a timedelta."""
    return timezone.now() + timedelta(**delta)
