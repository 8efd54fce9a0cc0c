"""The schedule admin: weekday check boxes for shifts, the current gaps beside each promise."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.workforce.actions import ServiceLevelTerms, add_weekly_shift, publish_service_level
from truedesk.workforce.coverage import WeeklyPattern
from truedesk.workforce.models import Shift

MONDAY_NOON = datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/Vilnius"))


@pytest.fixture
def admin_client(world, client):
    client.force_login(User.objects.create_superuser("root", "root@truedesk.test", "x"))
    return client


def test_the_promises_list_shows_each_levels_gaps(world, admin_client):
    pattern = WeeklyPattern(frozenset(range(6)), time(8), time(20), "Europe/Vilnius")
    add_weekly_shift(
        acting_user=world.carol, agent=world.alice, pattern=pattern, department=world.support
    )
    publish_service_level(
        acting_user=world.carol,
        terms=ServiceLevelTerms(text="Support 24/7", department=world.support),
    )
    everyone = WeeklyPattern(frozenset(range(7)), time(0), time(0), "Europe/Vilnius")
    add_weekly_shift(
        acting_user=world.carol, agent=world.bob, pattern=everyone, department=world.billing
    )
    publish_service_level(
        acting_user=world.carol,
        terms=ServiceLevelTerms(text="Billing 24/7", department=world.billing),
    )

    with time_machine.travel(MONDAY_NOON, tick=False):
        page = admin_client.get(reverse("admin:workforce_publishedservicelevel_changelist"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "6 gaps, 96 h/week: nobody scheduled Mon 20:00 \u2013 Tue 08:00 (12 h/week) …" in html
    assert "none: staffed as published" in html


def test_a_weekly_shift_is_added_with_weekday_boxes_and_audited(world, admin_client):
    form = {
        "agent": world.alice.pk,
        "kind": "weekly",
        "weekdays": ["0", "2", "4"],
        "start_time": "22:00",
        "end_time": "06:00",
        "time_zone": "Europe/Vilnius",
    }

    answer = admin_client.post(reverse("admin:workforce_shift_add"), form)

    assert answer.status_code == 302
    shift = Shift.objects.get()
    assert shift.weekdays == "024"
    assert shift.describe() == "Mon, Wed, Fri 22:00-06:00 Europe/Vilnius"
    assert AuditEvent.objects.filter(action="shift.added_in_admin").exists()


def test_a_weekly_shift_without_days_is_refused_in_the_admin(world, admin_client):
    form = {
        "agent": world.alice.pk,
        "kind": "weekly",
        "start_time": "08:00",
        "end_time": "16:00",
        "time_zone": "Europe/Vilnius",
    }

    answer = admin_client.post(reverse("admin:workforce_shift_add"), form)

    assert answer.status_code == 200
    assert "Choose the weekdays of the shift." in answer.content.decode()
    assert not Shift.objects.exists()
