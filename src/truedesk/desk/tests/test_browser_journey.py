"""Issue 2, user journey 2: an agent works a case from the queue to a transfer, in a real browser.

Every page must run clean under the CSP: the `page` fixture fails the test on
any console error, and so does the second browser context opened for bob.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from truedesk.cases.actions import CaseChanges, open_case, transfer_case, update_case
from truedesk.cases.models import Case, Transfer
from truedesk.testing import browser as harness

pytestmark = pytest.mark.browser


def _open_cases(world):
    mine = open_case(
        acting_user=world.alice, customer=world.dave, subject="Invoice shows a double charge",
        body="I was charged twice in March.", channel="email", department=world.support,
        owner=world.alice,
    )  # fmt: skip
    waiting = open_case(
        acting_user=world.carol, customer=world.dave, subject="No dial tone since Friday",
        body="The phone line is dead again.", channel="phone", department=world.support,
    )  # fmt: skip
    return mine, waiting


def _as_bob(browser, live_server):
    context, tab, errors = harness.open_page(browser, live_server.url)
    harness.sign_in(tab, "bob")
    return context, tab, errors


def _alice_transfers_to_bob(page, case):
    page.wait_for_load_state("load")  # the shortcut script is deferred
    page.keyboard.press("t")
    expect(page.get_by_label("To a person")).to_be_focused()
    page.get_by_label("To a person").select_option(label="Bob Brown")
    page.get_by_label("Reason").fill("Billing dispute needs billing rights")
    page.get_by_label("Hand-off note").fill(
        "Dial tone restored. Customer also disputes the March invoice; promised a call today."
    )
    page.get_by_role("button", name="Ask to take over").click()
    expect(page.locator("#desk-notice")).to_contain_text("Transfer sent to Bob Brown")
    expect(page.locator(".pending-transfer")).to_contain_text("To Bob Brown")


def test_alice_takes_replies_notes_and_transfers_and_bob_accepts(
    page, live_world, browser, live_server
):
    world = live_world
    _mine, waiting = _open_cases(world)

    harness.sign_in(page, "alice")
    expect(page.get_by_role("heading", name="My cases", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Invoice shows a double charge")).to_be_visible()

    # The support queue, and taking the unowned case from it.
    page.get_by_role("link", name="Queues").click()
    page.get_by_role("link", name=re.compile("Technical support")).click()
    row = page.locator(f"#queue-case-{waiting.number}")
    expect(row).to_contain_text("No dial tone since Friday")
    row.get_by_role("button", name=re.compile("Take")).click()
    expect(row).to_contain_text("Taken by you")
    assert Case.objects.get(pk=waiting.pk).owner_id == world.alice.pk

    # The case, and the customer's whole history from it.
    row.get_by_role("link", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("No dial tone since Friday")
    expect(page.locator(".customer-panel")).to_contain_text("Returning customer")
    page.get_by_role("link", name="Whole history of this customer").click()
    expect(page.get_by_role("heading", name="Dave Davis", level=1)).to_be_visible()
    expect(page.get_by_text("I was charged twice in March.")).to_be_visible()
    page.get_by_role("link", name=f"#{waiting.number}").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("No dial tone since Friday")
    page.wait_for_load_state("load")  # the shortcut script is deferred

    # A reply (r), then an internal note with the keyboard shortcut n.
    page.keyboard.press("r")
    expect(page.get_by_label("Reply to the customer")).to_be_focused()
    page.keyboard.type("We have restored your dial tone. Please check.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#desk-notice")).to_contain_text("Reply sent.")
    expect(page.locator(".timeline")).to_contain_text("We have restored your dial tone.")
    # After the swap settles, focus goes to the notice saying what happened; a key
    # pressed before that would be overtaken by it.
    expect(page.locator("#desk-notice")).to_be_focused()

    page.keyboard.press("n")
    expect(page.get_by_role("textbox", name="Internal note")).to_be_focused()
    page.keyboard.type("Exchange card replaced; watch for repeat faults.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#desk-notice")).to_contain_text("Internal note added.")
    note = page.locator(".timeline li.internal").first
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text("Exchange card replaced")
    expect(page.locator("#desk-notice")).to_be_focused()

    page.keyboard.press("?")
    expect(page.locator(".shortcuts-panel")).to_be_visible()
    page.keyboard.press("Escape")
    page.locator(".shortcuts summary").click()

    _alice_transfers_to_bob(page, waiting)

    # bob, in his own browser, accepts.
    context, bob, errors = _as_bob(browser, live_server)
    try:
        incoming = bob.locator(".transfer").filter(has_text="No dial tone since Friday")
        expect(incoming).to_contain_text("From Alice Adams")
        expect(incoming).to_contain_text("promised a call today")
        incoming.get_by_role("button", name=re.compile("Accept")).click()
        expect(bob.locator("#desk-notice")).to_contain_text(f"You now own case #{waiting.number}")
        expect(bob.get_by_role("link", name="No dial tone since Friday")).to_be_visible()
    finally:
        context.close()
    assert not errors, f"bob's pages logged errors: {errors}"
    waiting.refresh_from_db()
    assert waiting.owner_id == world.bob.pk and waiting.transfer_count == 1


def test_bob_declines_and_the_case_stays_with_alice(page, live_world, browser, live_server):
    world = live_world
    mine, _waiting = _open_cases(world)
    transfer_case(
        acting_user=world.alice, case=mine, to_user=world.bob, reason="Wrong queue",
        handoff_note="Customer says the charge is for a line he cancelled.",
    )  # fmt: skip

    context, bob, errors = _as_bob(browser, live_server)
    try:
        incoming = bob.locator(".transfer").filter(has_text="Invoice shows a double charge")
        incoming.get_by_label("Why do you decline?").fill("Alice already has the full story.")
        incoming.get_by_role("button", name=re.compile("Decline")).click()
        expect(bob.locator("#desk-notice")).to_contain_text("Alice Adams keeps it.")
        expect(bob.locator(".transfer")).to_have_count(0)
    finally:
        context.close()
    assert not errors, f"bob's pages logged errors: {errors}"
    assert Transfer.objects.get().status == Transfer.Status.DECLINED

    harness.sign_in(page, "alice")
    page.get_by_role("link", name="Invoice shows a double charge").click()
    expect(page.locator("dd.owner")).to_have_text("Alice Adams")
    expect(page.locator(".timeline")).to_contain_text("Bob Brown declined the transfer")
    expect(page.locator(".timeline")).to_contain_text("Alice already has the full story.")


def test_a_stale_edit_is_refused_in_place_and_nothing_typed_is_lost(page, live_world):
    world = live_world
    mine, _waiting = _open_cases(world)
    harness.sign_in(page, "alice")
    page.get_by_role("link", name="Invoice shows a double charge").click()
    page.get_by_text("Edit details").click()
    page.get_by_label("Subject").fill("Double charge on the March invoice")
    # bob changes the case while alice is typing
    mine.refresh_from_db()
    update_case(acting_user=world.bob, case=mine, expected_version=mine.version,
                changes=CaseChanges(subject="March invoice charged twice"))  # fmt: skip

    page.get_by_role("button", name="Save details").click()

    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Someone else changed this case since you opened it")
    expect(alert).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_contain_text("March invoice charged twice")
    expect(page.get_by_label("Subject")).to_have_value("Double charge on the March invoice")
    mine.refresh_from_db()
    assert mine.subject == "March invoice charged twice"
