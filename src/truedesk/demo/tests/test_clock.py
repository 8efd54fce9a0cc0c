from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from truedesk.cases.models import Interaction
from truedesk.demo.clock import simulated_clock

LAST_SPRING = datetime(2024, 4, 2, 9, 30, tzinfo=UTC)


def test_inside_the_block_django_reads_the_simulated_moment():
    with simulated_clock(LAST_SPRING) as clock:
        assert timezone.now() == LAST_SPRING
        clock.set(LAST_SPRING + timedelta(hours=3))
        assert timezone.now() == LAST_SPRING + timedelta(hours=3)


def test_model_defaults_that_captured_the_clock_read_it_too():
    with simulated_clock(LAST_SPRING):
        assert Interaction._meta.get_field("created_at").get_default() == LAST_SPRING


def test_real_time_returns_after_the_block():
    with simulated_clock(LAST_SPRING):
        pass

    assert abs(timezone.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_real_datetimes_are_still_recognised_inside_the_block():
    with simulated_clock(LAST_SPRING):
        assert timezone.is_aware(datetime.now(UTC))
        assert isinstance(datetime.now(UTC), timezone.datetime)


def test_the_clock_refuses_to_go_back_or_past_real_time():
    with simulated_clock(LAST_SPRING) as clock:
        with pytest.raises(ValueError, match="go back"):
            clock.set(LAST_SPRING - timedelta(minutes=1))
        with pytest.raises(ValueError, match="real time"):
            clock.set(datetime.now(UTC) + timedelta(hours=1))
        with pytest.raises(ValueError, match="aware"):
            clock.set(datetime(2024, 5, 1, 12, 0))


def test_the_clock_cannot_start_in_the_future():
    with (
        pytest.raises(ValueError, match="future"),
        simulated_clock(datetime.now(UTC) + timedelta(days=1)),
    ):
        pass
