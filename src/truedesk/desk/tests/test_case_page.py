"""The case page: header, counters, customer recognition and the whole timeline."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from truedesk.cases.actions import (
    add_internal_note,
    merge_cases,
    record_interaction,
    reply_to_case,
    set_tags,
    take_case,
)
from truedesk.cases.attachments import AttachmentUpload
from truedesk.desk import case_views


def test_the_header_shows_every_fact_of_the_case(world, make_case, alice_client):
    case = make_case(priority=3, severity=2, kind="complaint")
    set_tags(acting_user=world.alice, case=case, tags=["vip", "router"])
    case.refresh_from_db()

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    assert f"#{case.number}</span> Router keeps dropping the line" in page
    for text in ["Complaint", "High", "Moderate", "Technical support", "Acme Ltd", "vip", "router"]:
        assert text in page
    assert "Unowned" in page
    assert f"<dt>Version</dt><dd>{case.version}</dd>" in page
    assert "Take this case" in page


def test_an_owned_case_names_its_owner_and_offers_no_take(world, case, alice_client):
    take_case(acting_user=world.bob, case=case)

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    assert '<dd class="owner">Bob Brown</dd>' in page
    assert "Take this case" not in page


def test_the_runaround_counters_are_shown_once_against_their_thresholds(world, case, alice_client):
    take_case(acting_user=world.alice, case=case)
    record_interaction(
        acting_user=world.alice, case=case, channel="phone", direction="inbound",
        body="Called again", handled_by=world.bob, customer_seconds=20 * 60,
    )  # fmt: skip
    case.refresh_from_db()

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    # One panel: the guard's gauges (count / threshold), not a second raw counters card.
    assert f"<dt>Contacts</dt><dd>{case.contact_count} / 3" in page
    assert f"<dt>Staff involved</dt><dd>{case.staff_touched_count} / 3" in page
    assert "<dt>Transfers</dt><dd>0 / 2" in page
    assert "<dt>Customer&#x27;s minutes</dt><dd>20 / 60" in page
    assert page.count("<dt>Contacts</dt>") == 1


def test_a_returning_customer_is_recognised_with_earlier_cases_and_first_contact(
    world, make_case, alice_client
):
    with time_machine.travel(datetime(2025, 3, 4, 10, 0, tzinfo=UTC), tick=False):
        make_case(subject="Bill too high")
    make_case(subject="Invoice missing")
    case = make_case()

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    assert "Returning customer" in page
    assert "2 earlier cases" in page
    assert "March 4, 2025" in page or "Mar. 4, 2025" in page
    assert f'href="/desk/customers/{world.dave.pk}/"' in page


def test_a_first_time_customer_gets_no_returning_badge(world, case, alice_client):
    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    assert "Returning customer" not in page
    assert "First case of this customer." in page


def test_every_staff_member_sees_the_whole_history_with_notes_marked(world, make_case, client_for):
    case = make_case(department=world.billing)
    take_case(acting_user=world.bob, case=case)
    reply_to_case(acting_user=world.bob, case=case, body="We are on it.", channel="email")
    add_internal_note(
        acting_user=world.bob, case=case, body="Customer was promised a call on Friday.",
        attachments=[AttachmentUpload(name="call-log.txt", content=b"log")],
    )  # fmt: skip

    # alice is not in Billing, yet she reads everything (seed 003's escalation manager could not).
    page = client_for(world.alice).get(f"/desk/cases/{case.number}/").content.decode()

    assert "Since Monday the internet stops every evening." in page
    assert "We are on it." in page
    assert "Customer was promised a call on Friday." in page
    assert 'class="badge warn">Internal note</span>' in page
    assert "call-log.txt" in page
    attachment = case.attachments.get()
    assert f'href="/files/{attachment.pk}/"' in page
    assert "Bob Brown took the case." in page


def test_the_timeline_is_newest_first(world, case, alice_client):
    take_case(acting_user=world.alice, case=case)
    reply_to_case(acting_user=world.alice, case=case, body="First answer", channel="email")
    reply_to_case(acting_user=world.alice, case=case, body="Second answer", channel="email")

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    assert (
        page.index("Second answer")
        < page.index("First answer")
        < page.index("Since Monday the internet")
    )


def test_the_timeline_includes_the_history_of_merged_cases(world, make_case, alice_client):
    old = make_case(subject="No dial tone", body="The line is dead.")
    survivor = make_case()
    merge_cases(acting_user=world.alice, source=old, target=survivor)

    page = alice_client.get(f"/desk/cases/{survivor.number}/").content.decode()
    merged_page = alice_client.get(f"/desk/cases/{old.number}/").content.decode()

    assert "The line is dead." in page
    assert f"from merged case #{old.number}" in page
    assert f"Case #{old.number} was merged into this case." in page
    assert f"This case was merged into case #{survivor.number}." in merged_page
    assert "takes no more replies" in merged_page


def test_times_are_shown_in_the_viewers_time_zone(world, make_case, client_for):
    with time_machine.travel(datetime(2026, 1, 15, 12, 0, tzinfo=UTC), tick=False):
        case = make_case()
    world.alice.time_zone = "America/New_York"
    world.alice.save()

    page = client_for(world.alice).get(f"/desk/cases/{case.number}/").content.decode()

    assert 'datetime="2026-01-15T07:00:00-05:00"' in page
    assert "Jan. 15, 2026, 7 a.m." in page


def test_a_case_nobody_may_work_on_is_read_only_for_that_viewer(world, make_case, client_for):
    case = make_case(department=world.billing)
    take_case(acting_user=world.carol, case=case)

    page = client_for(world.alice).get(f"/desk/cases/{case.number}/").content.decode()

    assert "Send reply" not in page
    assert "You can read this whole case." in page


def test_the_keyboard_shortcuts_are_declared_on_the_case_page(world, case, alice_client):
    take_case(acting_user=world.alice, case=case)

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    for key in ["r", "n", "t", "?", "/"]:
        assert f'data-shortcut="{key}"' in page
    assert "<script>" not in page and " style=" not in page and "hx-on" not in page


def test_attachment_links_are_downloads(world, case, alice_client):
    take_case(acting_user=world.alice, case=case)
    alice_client.post(
        f"/desk/cases/{case.number}/reply/",
        {"reply-body": "See the file", "reply-attachments": [
            SimpleUploadedFile("a.pdf", b"%PDF-1", content_type="application/pdf")]},
    )  # fmt: skip

    page = alice_client.get(f"/desk/cases/{case.number}/").content.decode()

    attachment = case.attachments.get()
    assert f'<a href="/files/{attachment.pk}/" download>a.pdf</a>' in page


def _older_link(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" rel="next">Show older entries', page)
    assert found, "no link to older entries"
    return html.unescape(found.group(1))


def test_a_long_timeline_shows_the_newest_entries_and_the_rest_is_a_link_away(
    world, case, alice_client, monkeypatch
):
    monkeypatch.setattr(case_views, "TIMELINE_PAGE", 3)
    take_case(acting_user=world.alice, case=case)
    for n in range(1, 5):
        reply_to_case(acting_user=world.alice, case=case, body=f"Reply {n}", channel="email")

    newest = alice_client.get(f"/desk/cases/{case.number}/").content.decode()
    older = alice_client.get(_older_link(newest)).content.decode()
    oldest = alice_client.get(_older_link(older)).content.decode()

    assert [f"Reply {n}" in newest for n in (4, 3, 2, 1)] == [True, True, True, False]
    assert "Reply 1" in older and "case_taken" not in older and "took the case" in older
    assert "Reply 4" not in older and "Back to the newest entries" in older
    assert "opened the case" in oldest and "Show older entries" not in oldest
    # The "back" link leads to the plain case page.
    assert f'href="/desk/cases/{case.number}/#timeline-heading"' in older


def test_a_broken_link_to_older_entries_is_a_clear_error(world, case, alice_client):
    response = alice_client.get(f"/desk/cases/{case.number}/?before=garbage")

    assert response.status_code == 400
    assert "This link to older entries is broken" in response.content.decode()


def test_a_form_error_keeps_the_older_link_on_the_case_page(world, case, alice_client, monkeypatch):
    monkeypatch.setattr(case_views, "TIMELINE_PAGE", 1)
    reply_to_case(acting_user=world.alice, case=case, body="Second", channel="email")

    page = alice_client.post(f"/desk/cases/{case.number}/note/", {"note-body": ""})

    assert page.status_code == 422
    assert f'<a href="/desk/cases/{case.number}/?before=' in page.content.decode()
