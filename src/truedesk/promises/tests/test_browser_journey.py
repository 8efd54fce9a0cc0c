"""Issue 3, user journey 1, in a real browser: alice records a promise on dave's case; time
passes it by; the desk and the portal both show it missed, with the promise that replaced it.

Time travel (time_machine, tick=False) moves the clock of the whole process, so the live
server's thread renders the page at the travelled time too: the "Overdue" badge, computed
by the server from its own clock before any sweep ran, proves it.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from truedesk.cases.actions import open_case
from truedesk.promises.actions import process_due_promises
from truedesk.promises.models import Promise
from truedesk.testing import browser as harness

pytestmark = pytest.mark.browser

VILNIUS = ZoneInfo("Europe/Vilnius")


def test_alice_records_a_promise_and_once_it_is_missed_desk_and_portal_say_so(
    page, live_world, browser, live_server
):
    world = live_world
    case = open_case(
        acting_user=world.alice, customer=world.dave, subject="No dial tone since Friday",
        body="The line has been dead for three days.", channel="phone",
        department=world.support, owner=world.alice,
    )  # fmt: skip
    # Two hours ahead, but still today in Vilnius (the desk lists promises due today).
    now = timezone.localtime(timezone.now(), VILNIUS)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    ahead = max(timedelta(minutes=3), min(timedelta(hours=2), (midnight - now) / 2))
    due = (now + ahead).replace(second=0, microsecond=0)

    harness.sign_in(page, "alice")
    page.goto(f"/desk/cases/{case.number}/")
    panel = page.locator("#promises")
    expect(panel).to_contain_text("No promises on this case yet.")
    record = page.locator("#promise-record")
    record.get_by_text("Record a promise").click()
    record.get_by_label("Kind of promise").select_option(label="Call-back")
    record.get_by_label("What exactly was promised").fill("We will call you back by 17:00 today.")
    record.get_by_label("Due by").fill(due.strftime("%Y-%m-%dT%H:%M"))
    record.get_by_label("Owner").select_option(label="Alice Adams")
    record.get_by_role("button", name="Record promise").click()
    expect(page.locator("#desk-notice")).to_contain_text("Promise recorded")
    expect(panel).to_contain_text("We will call you back by 17:00 today.")
    promise = Promise.objects.get(case=case)
    assert promise.due_at == due
    page.goto("/desk/")
    expect(page.locator("#promises-due-heading")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{case.number} Dave Davis")).to_be_visible()

    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        page.goto(f"/desk/cases/{case.number}/")
        expect(panel.locator(".badge.bad")).to_have_text("Overdue")

        process_due_promises()
        page.reload()
        expect(panel.locator(f"#promise-{promise.pk} .badge")).to_have_text("Missed")
        expect(page.locator("#case-flag")).to_contain_text("Promise missed")
        follow_up = Promise.objects.get(pk=promise.pk).replaced_by
        expect(panel.locator(f"#promise-{follow_up.pk}")).to_contain_text("follow-up")

        context, dave_page, errors = harness.open_page(browser, live_server.url)
        try:
            harness.sign_in(dave_page, "dave")
            expect(dave_page.locator(".portal-promises")).to_contain_text(
                "This replaces a promise we missed"
            )
            dave_page.goto(f"/portal/cases/{case.number}/")
            promises = dave_page.locator(".portal-promises")
            expect(promises.locator(".promise-missed .badge")).to_have_text("Missed")
            expect(promises.locator(".promise-missed")).to_contain_text(
                "We did not keep this promise. We are sorry. Alice Adams now answers for it"
            )
            expect(promises.locator(".promise-open")).to_contain_text(
                "We will call you back by 17:00 today."
            )
        finally:
            context.close()
        assert not errors, f"dave's pages logged errors: {errors}"
