"""Issue 4, item 4: a visitor opens a case through the public contact form, in a real browser."""

from __future__ import annotations

import pytest

from truedesk.cases.models import Case
from truedesk.channels.webform.models import ContactTopic
from truedesk.notifications.models import EmailDelivery

pytestmark = pytest.mark.browser


def test_a_visitor_fixes_a_refused_message_and_opens_a_case(page, live_world, settings):
    settings.WEBFORM_MIN_FILL_SECONDS = 0  # the browser fills faster than a person
    ContactTopic.objects.create(
        label="A bill or a payment", department=live_world.billing, kind="billing_dispute"
    )
    page.goto("/contact/")
    assert page.get_by_role("heading", name="Contact us").is_visible()
    # The honeypot is off-screen for people (and out of the tab order).
    assert page.locator("input[name=website]").bounding_box()["x"] < -5000
    assert page.locator("input[name=website]").get_attribute("tabindex") == "-1"
    page.get_by_label("Your name").fill("Nora Visitor")
    page.get_by_label("Your email address").fill("nora@example.net")
    page.get_by_label("What is it about?").select_option(label="A bill or a payment")
    page.get_by_label("Subject").fill("Charged twice in May")
    links = " ".join(f"https://bank{n}.example/statement" for n in range(4))
    page.get_by_label("Your message").fill(f"See {links}")
    page.get_by_role("button", name="Send").click()

    error = page.locator("#id_message_error")
    assert "at most 3 links" in error.inner_text()
    assert page.get_by_label("Your name").input_value() == "Nora Visitor"
    assert page.get_by_label("Subject").input_value() == "Charged twice in May"
    assert page.get_by_label("What is it about?").locator("option:checked").inner_text() == (
        "A bill or a payment"
    )
    assert not Case.objects.exists()

    page.get_by_label("Your message").fill("My card was charged twice for the May bill.")
    page.get_by_label("Attach a file").set_input_files(
        {"name": "statement.txt", "mimeType": "text/plain", "buffer": b"-42.00 x2"}
    )
    page.get_by_role("button", name="Send").click()

    case = Case.objects.get(subject="Charged twice in May")
    assert page.get_by_role("heading", name="Thank you, we have your message").is_visible()
    assert page.get_by_text(f"Your case number is #{case.number}.").is_visible()
    assert case.department == live_world.billing
    assert case.interactions.get().channel == "web_form"
    assert case.attachments.get().file.read() == b"-42.00 x2"
    assert EmailDelivery.objects.get().to_address == "nora@example.net"

    page.goto("/contact/")
    page.locator("#language-select").select_option("lt")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "lt"
    assert page.url.endswith("/contact/")
