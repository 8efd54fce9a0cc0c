"""The desk, the staffing plan and the admin as their users see them in a real browser:
on a phone nothing pushes the page sideways, the timeline names the system components
in words, form fields keep their labels beside them, and the admin logs no errors.

The `page` fixture fails a test on any console error (a CSP violation, a 404).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from truedesk.accounts.models import User
from truedesk.cases.actions import open_case
from truedesk.cases.models import Case
from truedesk.promises.actions import process_due_promises, record_promise
from truedesk.promises.models import Promise
from truedesk.testing import browser as harness
from truedesk.testing.personas import PASSWORD
from truedesk.workforce.tests.plan_world import make_queue

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _flagged_case(world) -> Case:
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
    Promise.objects.filter(pk=promise.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    process_due_promises()
    return case


def _sideways_overflow(page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_alice_works_a_case_on_her_phone_without_scrolling_sideways(page, live_world):
    case = _flagged_case(live_world)
    page.set_viewport_size(PHONE)
    harness.sign_in(page, "alice")

    # The desk home: header, promises due today and the wide case table.
    expect(page.get_by_role("heading", name="Cases you own")).to_be_visible()
    assert _sideways_overflow(page) == 0
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out is not None and sign_out["x"] + sign_out["width"] <= PHONE["width"]
    presence = page.get_by_role("button", name="Set presence").bounding_box()
    assert presence is not None and presence["x"] + presence["width"] <= PHONE["width"]

    page.goto(f"/desk/cases/{case.number}/")
    expect(page.locator("#case-flag")).to_contain_text("Promise missed")
    assert _sideways_overflow(page) == 0
    # The keyboard-shortcuts box sits at the end of the page, not over the forms.
    shortcuts = page.locator("details.shortcuts")
    assert shortcuts.evaluate("el => getComputedStyle(el).position") == "static"

    # The sweep that flagged the case is named in words, not by its internal label.
    timeline = page.locator(".case-timeline")
    expect(timeline).to_contain_text("The system: Case flagged")
    events = timeline.locator("li.event .meta").all_inner_texts()
    assert not [text for text in events if text.startswith("system:")], events


def test_staffing_plan_fields_keep_their_labels_above_them(page, live_world):
    make_queue(live_world)
    harness.sign_in(page, "carol")
    page.goto("/desk/staffing/plan/")
    for name in ("Queue:", "Interval:", "Week starting:"):
        field = page.get_by_label(name, exact=True).bounding_box()
        label = page.locator("label", has_text=name).first.bounding_box()
        assert field is not None and label is not None
        # Same column, label first: not a label in one grid cell and its field in the next.
        assert abs(label["x"] - field["x"]) < 2, name
        assert label["y"] < field["y"], name


def test_the_admin_pages_for_the_new_models_log_no_errors(page, live_world):
    User.objects.create_superuser(username="root", email="root@example.com", password=PASSWORD)
    harness.sign_in(page, "root")
    for path in (
        "/admin/",
        "/admin/routing/skill/add/",
        "/admin/workforce/contactqueue/",
        "/admin/webhooks/webhookendpoint/",
        "/admin/email_channel/inboundmessage/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#content")).to_be_visible()
    # The site's icon, so the browser never asks for a missing /favicon.ico.
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/static/truedesk/favicon.svg")
