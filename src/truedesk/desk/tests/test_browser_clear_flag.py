"""Issue 3: a missed promise flags alice's case; she sees it, keeps the follow-up in view and
clears the flag from the case page with the keyboard, in a real browser (CSP-clean)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from truedesk.cases.actions import open_case
from truedesk.cases.models import Case, CaseEvent, EventKind
from truedesk.promises.actions import process_due_promises, record_promise
from truedesk.promises.models import Promise
from truedesk.testing import browser as harness

pytestmark = pytest.mark.browser


def _missed_promise(world) -> Case:
    case = open_case(
        acting_user=world.alice, customer=world.dave, subject="Static IP does not answer",
        body="Our VPN users cannot connect.", channel="phone", department=world.support,
        owner=world.alice,
    )  # fmt: skip
    promise = record_promise(
        acting_user=world.alice, case=case, kind="call_back",
        description="Call Dave back with the firewall rules",
        due_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    # The promise falls due unkept; the worker's sweep notices it.
    Promise.objects.filter(pk=promise.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    process_due_promises()
    case.refresh_from_db()
    assert case.flagged_at is not None
    return case


def test_alice_sees_the_missed_promise_and_clears_the_flag(page, live_world):
    case = _missed_promise(live_world)

    harness.sign_in(page, "alice")
    expect(page.get_by_text("Call Dave back with the firewall rules").first).to_be_visible()

    page.goto(f"{page.url.split('/desk/')[0]}/desk/cases/{case.number}/")
    flag = page.locator("#case-flag")
    expect(flag).to_contain_text("Promise missed")
    summary = flag.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    reason = flag.get_by_label("Why can the flag be cleared?")
    expect(reason).to_be_visible()
    reason.fill("Called Dave, rules sent by email")
    reason.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator("#desk-notice")).to_contain_text("Flag cleared.")
    expect(page.locator("#case-flag")).to_have_count(0)
    expect(page.locator(".case-timeline")).to_contain_text("Called Dave, rules sent by email")
    assert Case.objects.get(pk=case.pk).flagged_at is None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.FLAG_CLEARED).exists()
