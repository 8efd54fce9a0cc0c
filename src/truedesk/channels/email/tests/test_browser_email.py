"""Issue 4, journeys 1 and 2 in a browser: a mailed-in case on the desk, answered by email."""

from __future__ import annotations

import smtplib

import pytest
from playwright.sync_api import expect

from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case
from truedesk.channels.email.actions import process_due_messages
from truedesk.channels.email.outbound import deliver_due_outbound
from truedesk.channels.email.smtp_receiver import make_receiver
from truedesk.channels.email.tests import mail
from truedesk.channels.email.tests.conftest import free_port
from truedesk.testing import browser as harness

pytestmark = pytest.mark.browser

BODY = (
    "Sveiki, internetas neveikia nuo vakar.\n\n"
    "2024-06-03, pr, 10:00 Support <support@truedesk.test> rašė:\n> Ką galime padėti?\n"
)


def test_alice_reads_a_mailed_in_case_and_sees_her_reply_delivered(page, live_world, smtp_server):
    receiver = make_receiver("127.0.0.1", free_port())
    receiver.start()
    try:
        raw = mail.message(subject="Internetas", body=BODY, charset="iso-8859-13")
        with smtplib.SMTP(receiver.hostname, receiver.port) as client:
            client.sendmail("dave@example.com", ["support@truedesk.test"], raw)
    finally:
        receiver.stop()
    assert process_due_messages() == 1
    case = Case.objects.get()
    case_actions.take_case(acting_user=live_world.alice, case=case)

    harness.sign_in(page, "alice")
    page.goto(f"/desk/cases/{case.number}/")
    timeline = page.locator(".case-timeline")
    expect(timeline).to_contain_text("Sveiki, internetas neveikia nuo vakar.")
    expect(timeline.locator(".body").first).not_to_contain_text("Ką galime padėti?")
    page.get_by_text("Show the whole email").click()
    expect(timeline.locator(".email-original pre")).to_contain_text("Ką galime padėti?")

    page.get_by_label("Reply to the customer").fill("Please restart the router.")
    page.get_by_role("button", name="Send reply").click()
    expect(timeline).to_contain_text("Please restart the router.")
    expect(timeline.locator("[data-email-status=pending]")).to_contain_text(
        "Email waiting to be sent"
    )

    assert deliver_due_outbound() == 2  # the acknowledgement and Alice's reply
    sent = smtp_server.wait_for(2)
    assert any(m.get_content().strip() == "Please restart the router." for m in sent)
    page.reload()
    expect(timeline.locator("[data-email-status=sent]")).to_contain_text("Email sent")
