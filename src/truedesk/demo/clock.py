"""A simulated clock for building the demo: the real actions stamp a believable past.

The actions stamp `django.utils.timezone.now()`, and case events are
append-only, so a history written at build time would say that every case was
opened, answered and transferred within the same few seconds. While the demo
builds, Django's clock reads the moment the demo script is at instead, so cases,
interactions, transfers, events and audit rows all carry the same past times in
the same order, exactly as the actions would have written them on those days.

Only `django.utils.timezone` is affected (its `now()` reads `datetime` from its
module globals, which also covers model defaults that captured `timezone.now`);
the patch lasts for the `with` block of one single-threaded command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from typing import Any
from unittest import mock

from django.utils import timezone


class _DatetimeType(type):
    # Keeps `isinstance(value, datetime)` inside django.utils.timezone true for
    # real datetimes while the class is swapped.
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, datetime)


class SimulatedClock:
    """The moment the demo script is at; it only moves forward and never passes real time."""

    def __init__(self, start: datetime) -> None:
        self.real_start = datetime.now(UTC)
        if start > self.real_start:
            raise ValueError("the simulated clock cannot start in the future")
        self.moment = start

    def set(self, moment: datetime) -> None:
        """Move the clock to `moment` (aware, not in the real future, not backwards)."""
        if timezone.is_naive(moment):
            raise ValueError("the simulated clock needs an aware datetime")
        if moment < self.moment:
            raise ValueError(f"the simulated clock cannot go back from {self.moment} to {moment}")
        if moment > self.real_start:
            raise ValueError(f"the simulated clock cannot pass real time ({moment})")
        self.moment = moment


@contextmanager
def simulated_clock(start: datetime) -> Iterator[SimulatedClock]:
    """Make `django.utils.timezone.now()` return the clock's moment inside the block."""
    clock = SimulatedClock(start)

    class _SimulatedDatetime(datetime, metaclass=_DatetimeType):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return clock.moment.astimezone(tz) if tz else clock.moment.replace(tzinfo=None)

    with mock.patch.object(timezone, "datetime", _SimulatedDatetime):
        yield clock
