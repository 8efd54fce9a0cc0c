"""Shifts and published service levels are written by supervisors, validated and audited."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from truedesk.accounts.errors import NotAllowed
from truedesk.accounts.models import AuditEvent
from truedesk.workforce.actions import (
    ServiceLevelTerms,
    add_one_off_shift,
    add_weekly_shift,
    publish_service_level,
    remove_shift,
)
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.errors import InvalidSchedule
from truedesk.workforce.models import PublishedServiceLevel, Shift

OFFICE = WeeklyPattern(frozenset(range(5)), time(8), time(17), "Europe/Vilnius")
START = datetime(2026, 3, 7, 8, tzinfo=UTC)


def test_a_supervisor_schedules_a_weekly_shift_and_it_is_audited(world):
    shift = add_weekly_shift(
        acting_user=world.carol, agent=world.alice, pattern=OFFICE, department=world.support
    )

    assert shift.weekdays == "01234"
    assert shift.describe() == "Mon\u2013Fri 08:00-17:00 Europe/Vilnius"
    audit = AuditEvent.objects.get(action="shift.added")
    assert audit.actor == world.carol
    assert audit.data["shift"] == "Mon\u2013Fri 08:00-17:00 Europe/Vilnius"


def test_an_agent_may_not_write_the_schedule(world):
    with pytest.raises(NotAllowed):
        add_weekly_shift(acting_user=world.alice, agent=world.alice, pattern=OFFICE)
    with pytest.raises(NotAllowed):
        publish_service_level(acting_user=world.alice, terms=ServiceLevelTerms(text="24/7"))

    assert not Shift.objects.exists()
    assert not PublishedServiceLevel.objects.exists()


def test_only_active_staff_are_scheduled(world):
    with pytest.raises(InvalidSchedule) as refused:
        add_weekly_shift(acting_user=world.carol, agent=world.dave_user, pattern=OFFICE)

    assert refused.value.details == {"field": "agent"}


def test_a_one_off_shift_must_end_after_it_starts_and_carry_a_zone(world):
    with pytest.raises(InvalidSchedule) as backwards:
        add_one_off_shift(acting_user=world.carol, agent=world.bob, starts_at=START, ends_at=START)
    with pytest.raises(InvalidSchedule) as naive:
        add_one_off_shift(
            acting_user=world.carol,
            agent=world.bob,
            starts_at=datetime(2026, 3, 7, 8),
            ends_at=START + timedelta(hours=8),
        )

    assert backwards.value.field == "ends_at"
    assert naive.value.field == "starts_at"
    assert not Shift.objects.exists()


def test_removing_a_shift_keeps_what_it_was_in_the_audit(world):
    shift = add_one_off_shift(
        acting_user=world.carol,
        agent=world.bob,
        starts_at=START,
        ends_at=START + timedelta(hours=8),
    )

    remove_shift(acting_user=world.carol, shift=shift)

    assert not Shift.objects.exists()
    audit = AuditEvent.objects.get(action="shift.removed")
    assert audit.data["shift"] == "2026-03-07 08:00 \u2013 2026-03-07 16:00 UTC"


def test_a_service_level_needs_text_and_a_sensible_response_window(world):
    with pytest.raises(InvalidSchedule) as no_text:
        publish_service_level(acting_user=world.carol, terms=ServiceLevelTerms(text="  "))
    with pytest.raises(InvalidSchedule) as negative:
        publish_service_level(
            acting_user=world.carol,
            terms=ServiceLevelTerms(text="Call-back", response_within=timedelta(hours=-2)),
        )
    with pytest.raises(InvalidSchedule) as nobody:
        publish_service_level(
            acting_user=world.carol, terms=ServiceLevelTerms(text="24/7", minimum_agents=0)
        )

    assert no_text.value.field == "text"
    assert negative.value.field == "response_within"
    assert nobody.value.field == "minimum_agents"
