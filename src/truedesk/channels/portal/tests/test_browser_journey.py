"""Issue 2, user journey 3: a customer follows his case in the portal, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from truedesk.cases import actions
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.models import Case
from truedesk.testing.browser import sign_in

pytestmark = pytest.mark.browser


def test_dave_opens_a_case_follows_alices_reply_answers_and_cannot_see_fionas(page, live_world):
    world = live_world
    sign_in(page, "dave")
    assert page.get_by_role("heading", name="My cases").is_visible()
    assert page.get_by_text("You have no cases yet").is_visible()

    page.get_by_role("main").get_by_role("link", name="Open a case").click()
    page.get_by_label("Subject").fill("Internet drops every evening")
    page.get_by_label("Describe what happened").fill("Since Monday the line drops at 20:00.")
    page.get_by_label("What kind of request is it?").select_option("service_request")
    page.get_by_label("Attach files").set_input_files(
        {"name": "router-lights.txt", "mimeType": "text/plain", "buffer": b"red, red, green"}
    )
    page.get_by_role("button", name="Open the case").click()

    case = Case.objects.get(subject="Internet drops every evening")
    assert page.url.endswith(reverse("portal:case", args=[case.number]))
    assert page.get_by_text(f"Your case #{case.number} is open").is_visible()
    assert page.get_by_text("Waiting for the next available agent").is_visible()
    assert page.get_by_text("router-lights.txt").is_visible()
    assert case.attachments.get().file.read() == b"red, red, green"
    with page.expect_download() as download:
        page.get_by_role("link", name="router-lights.txt").click()
    assert download.value.suggested_filename == "router-lights.txt"

    actions.take_case(acting_user=world.alice, case=case)
    actions.reply_to_case(
        acting_user=world.alice,
        case=case,
        body="Hello Dave, I am checking the line from our side now.",
        channel="email",
    )
    page.reload()
    assert page.get_by_text("I am checking the line from our side now.").is_visible()
    assert page.locator(".portal-owner").inner_text() == "Alice Adams is handling your case"

    page.get_by_label("Your reply").fill("Thank you, Alice. It dropped again at 20:05.")
    page.get_by_role("button", name="Send reply").click()
    assert page.get_by_text("Your reply was added.").is_visible()
    assert page.get_by_text("It dropped again at 20:05.").is_visible()
    assert case.interactions.filter(direction="inbound").count() == 2

    fionas = actions.open_case(
        acting_user=world.fiona_user,
        customer=world.fiona,
        subject="Fiona's invoice",
        body="Account FX-4471.",
        channel="portal",
        attachments=[AttachmentUpload("fiona-invoice.pdf", b"%PDF fiona", "application/pdf")],
    )
    # A second tab of the same signed-in session: Chromium logs every 404 as a
    # console error, which the `page` fixture rightly treats as a broken page.
    probe = page.context.new_page()
    response = probe.goto(reverse("portal:case", args=[fionas.number]))
    assert response.status == 404
    assert re.search("not found", probe.content(), re.IGNORECASE)
    assert "Fiona" not in probe.content()

    attachment = fionas.attachments.get()
    response = probe.goto(reverse("cases:attachment", args=[attachment.pk]))
    assert response.status == 404
    assert re.search("not found", probe.content(), re.IGNORECASE)
    assert "fiona-invoice" not in probe.content()


def test_dave_switches_the_portal_to_lithuanian(page, live_world):
    sign_in(page, "dave")
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Preferences").click()
    page.locator("#id_language").select_option("lt")
    page.locator("#id_time_zone").select_option("Europe/Vilnius")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto(reverse("portal:home"))

    assert page.locator("html").get_attribute("lang") == "lt"
    live_world.dave_user.refresh_from_db()
    assert live_world.dave_user.language == "lt"
