"""Issue 5, user journey 3: a customer waiting for a call-back sees an honest wait that updates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from truedesk.channels.contactcentre import views
from truedesk.channels.contactcentre.actions import CallEvent, record_queue_events
from truedesk.channels.contactcentre.models import Integration
from truedesk.testing.browser import sign_in
from truedesk.testing.personas import make_staff
from truedesk.workforce.models import ContactQueue, Shift

pytestmark = pytest.mark.browser


def _events(integration: Integration, *specs: tuple[str, str, float]) -> None:
    now = timezone.now()
    record_queue_events(
        integration=integration,
        events=[
            CallEvent(
                event_id=f"{call}-{kind}",
                kind=kind,
                call_id=call,
                queue="billing-phone",
                occurred_at=now - timedelta(minutes=ago),
                caller=f"+3706000{i:04d}",
                agent="bob" if kind == "answered" else "",
            )
            for i, (kind, call, ago) in enumerate(specs)
        ],
    )


def test_dave_waits_for_a_call_back_and_watches_his_wait_shrink(page, live_world, monkeypatch):
    world = live_world
    monkeypatch.setattr(views, "WAIT_REFRESH_SECONDS", 1)
    ContactQueue.objects.create(
        name="Billing phone", slug="billing-phone", department=world.billing, channel="phone",
        shrinkage=0.0,
    )  # fmt: skip
    now = timezone.now()
    Shift.objects.create(
        agent=world.bob, department=world.billing, kind="once",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    integration = Integration.objects.create(
        name="Switch", key="switch", acting_user=make_staff("switch", "supervisor", "Switch")
    )
    # bob is on a call; two callers are holding ahead of Dave.
    _events(integration, ("offered", "busy", 9), ("answered", "busy", 8),
            ("offered", "first", 5), ("offered", "second", 4))  # fmt: skip

    sign_in(page, "dave")
    page.get_by_role("link", name="Ask us to call you back").click()
    page.get_by_label("Which line").select_option(label="Billing phone")
    page.get_by_label("Number to call").fill("+370 600 12345")
    page.get_by_role("button", name="Call me back").click()

    expect(page.get_by_role("heading", name="Expected wait")).to_be_visible()
    expect(page.get_by_text("You are number 3 in line.")).to_be_visible()
    # Three calls need bob first (his own and two ahead): five minutes assumed per call,
    # a short queue, so a range of minutes, not a point.
    expect(page.get_by_test_id("wait-words")).to_have_text(
        re.compile(r"^Between \d+ and \d+ minutes$")
    )

    # The two callers ahead hang up; the panel follows by itself (htmx polling).
    _events(integration, ("abandoned", "first", 0), ("abandoned", "second", 0))
    expect(page.get_by_test_id("wait-position")).to_have_text("You are next in line.")
    expect(page.get_by_test_id("wait-words")).to_have_text(re.compile(r"^(Up to|Between) \d+"))

    # bob calls Dave back: the panel says so and stops polling.
    callback_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    record_queue_events(
        integration=integration,
        events=[
            CallEvent(
                event_id="cb-answered",
                kind="answered",
                call_id="cb",
                queue="billing-phone",
                occurred_at=timezone.now(),
                agent="bob",
                callback_id=callback_id,
            )
        ],
    )
    expect(page.get_by_role("heading", name="We called you back")).to_be_visible()
