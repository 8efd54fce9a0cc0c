"""Every form on the case page: it calls the real action, and bad input loses nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from truedesk.cases.actions import CaseChanges, take_case, transfer_case, update_case
from truedesk.cases.models import Case, CaseLink, Interaction, Transfer


def _url(case, action=""):
    return f"/desk/cases/{case.number}/{action + '/' if action else ''}"


def _owned(world, case):
    return take_case(acting_user=world.alice, case=case)


# --- reply and note --------------------------------------------------------------------


def test_a_reply_with_several_files_reaches_the_timeline(world, case, alice_client):
    _owned(world, case)
    files = [
        SimpleUploadedFile("photo.png", b"\x89PNG", content_type="image/png"),
        SimpleUploadedFile("invoice.pdf", b"%PDF-1.4", content_type="application/pdf"),
    ]

    response = alice_client.post(
        _url(case, "reply"),
        {"reply-body": "Please restart the router.", "reply-attachments": files},
    )

    assert response.status_code == 302 and response["Location"] == _url(case)
    reply = case.interactions.get(direction="outbound")
    assert reply.body == "Please restart the router." and reply.author_user == world.alice
    assert sorted(reply.attachments.values_list("filename", flat=True)) == [
        "invoice.pdf", "photo.png"]  # fmt: skip
    page = alice_client.get(response["Location"]).content.decode()
    assert "Reply sent." in page and "Please restart the router." in page


def test_a_reply_can_move_the_case_on(world, case, alice_client):
    _owned(world, case)

    alice_client.post(
        _url(case, "reply"),
        {"reply-body": "Does it work now?", "reply-set_status": "waiting_on_customer"},
    )

    case.refresh_from_db()
    assert case.status == "waiting_on_customer"


def test_an_empty_reply_is_refused_with_a_message(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(_url(case, "reply"), {"reply-body": "   "})

    assert response.status_code == 422
    assert "Write a reply or attach a file." in response.content.decode()
    assert case.interactions.count() == 1


def test_a_refused_reply_keeps_the_text_in_the_box(world, make_case, alice_client):
    case = make_case(department=world.billing)
    take_case(acting_user=world.carol, case=case)

    response = alice_client.post(_url(case, "reply"), {"reply-body": "My careful answer"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "You are not allowed to do this." in page
    assert "My careful answer</textarea>" in page


def test_an_internal_note_is_added_with_its_file(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(
        _url(case, "note"),
        {"note-body": "Line test failed at the exchange.",
         "note-attachments": [SimpleUploadedFile("trace.txt", b"trace")]},
    )  # fmt: skip

    assert response.status_code == 302
    note = case.interactions.get(direction="internal")
    assert note.is_internal and note.body == "Line test failed at the exchange."
    assert note.attachments.get().filename == "trace.txt"
    assert "Internal note added." in alice_client.get(_url(case)).content.decode()


def test_htmx_submissions_get_the_same_redirect_and_the_notice_in_the_live_region(
    world, case, alice_client
):
    _owned(world, case)

    response = alice_client.post(
        _url(case, "note"), {"note-body": "Checked the line."}, HTTP_HX_REQUEST="true", follow=True
    )

    page = response.content.decode()
    notice = page[page.index('id="desk-notice"') : page.index('id="desk-page"')]
    assert "Internal note added." in notice
    assert "Checked the line." in page


def test_htmx_gets_form_errors_with_a_status_it_swaps(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(_url(case, "note"), {"note-body": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Write a note or attach a file." in response.content.decode()


# --- take --------------------------------------------------------------------------------


def test_taking_from_the_case_page_makes_me_the_owner(world, case, alice_client):
    response = alice_client.post(_url(case, "take"))

    assert response.status_code == 302 and response["Location"] == _url(case)
    case.refresh_from_db()
    assert case.owner == world.alice and case.status == "open"
    assert f"You took case #{case.number}." in alice_client.get(_url(case)).content.decode()


def test_taking_a_case_someone_else_took_says_who(world, case, alice_client):
    take_case(acting_user=world.bob, case=case)

    response = alice_client.post(_url(case, "take"), follow=True)

    assert "Already taken by Bob Brown." in response.content.decode()
    case.refresh_from_db()
    assert case.owner == world.bob


# --- transfer --------------------------------------------------------------------------


def test_a_transfer_needs_a_receiver_a_reason_and_a_handoff_note(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(
        _url(case, "transfer"), {"transfer-reason": "", "transfer-handoff_note": "Tried a reset"}
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page
    assert "Tried a reset</textarea>" in page
    assert not Transfer.objects.exists()


def test_a_transfer_to_bob_waits_for_his_answer(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(
        _url(case, "transfer"),
        {"transfer-to_user": world.bob.pk, "transfer-reason": "Billing question",
         "transfer-handoff_note": "Customer disputes the March bill; reset done."},
    )  # fmt: skip

    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.to_user, transfer.from_user, transfer.status) == (
        world.bob, world.alice, "pending")  # fmt: skip
    page = alice_client.get(_url(case)).content.decode()
    assert "Transfer sent to Bob Brown." in page
    assert "Transfer waiting for an answer" in page
    assert "Customer disputes the March bill; reset done." in page
    case.refresh_from_db()
    assert case.owner == world.alice


def test_a_transfer_to_a_closed_department_is_refused_with_the_reason(world, case, alice_client):
    _owned(world, case)
    world.billing.is_active = False
    world.billing.save()

    response = alice_client.post(
        _url(case, "transfer"),
        {"transfer-to_department": world.billing.pk, "transfer-reason": "Billing",
         "transfer-handoff_note": "Please look at the bill."},
    )  # fmt: skip

    assert response.status_code == 422
    assert not Transfer.objects.exists()
    assert "Please look at the bill.</textarea>" in response.content.decode()


def test_only_the_owner_may_transfer(world, case, client_for):
    take_case(acting_user=world.bob, case=case)

    response = client_for(world.alice).post(
        _url(case, "transfer"),
        {"transfer-to_user": world.carol.pk, "transfer-reason": "x",
         "transfer-handoff_note": "y"},
    )  # fmt: skip

    assert response.status_code == 403
    page = response.content.decode()
    assert '<ul class="errorlist nonfield"><li>Only the owner or a supervisor' in page
    assert "y</textarea>" in page
    assert not Transfer.objects.exists()


# --- status ------------------------------------------------------------------------------


def test_changing_the_status(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(_url(case, "status"), {"status-status": "resolved"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    assert "Status changed to “Resolved”." in alice_client.get(_url(case)).content.decode()


def test_a_status_the_case_cannot_reach_is_refused(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(_url(case, "status"), {"status-status": "closed"})

    assert response.status_code == 409
    assert "A case that is “Open” cannot become “Closed”." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open"


# --- edit --------------------------------------------------------------------------------


def _edit(case, **values):
    data = {
        "edit-subject": case.subject, "edit-kind": case.kind, "edit-priority": case.priority,
        "edit-severity": case.severity, "edit-department": case.department_id or "",
        "edit-tags": "", "edit-version": case.version,
    }  # fmt: skip
    data.update({f"edit-{key}": value for key, value in values.items()})
    return data


def test_editing_the_details(world, case, alice_client):
    _owned(world, case)
    case.refresh_from_db()

    response = alice_client.post(
        _url(case, "edit"),
        _edit(case, subject="No internet in the evening", priority=4, kind="complaint",
              department=world.billing.pk, tags="vip, line fault"),
    )  # fmt: skip

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.subject, case.priority, case.kind, case.department) == (
        "No internet in the evening", 4, "complaint", world.billing)  # fmt: skip
    assert sorted(case.tags.values_list("name", flat=True)) == ["line-fault", "vip"]


def test_a_stale_edit_is_refused_and_keeps_the_other_change(world, case, alice_client):
    _owned(world, case)
    case.refresh_from_db()
    seen = _edit(case, subject="Alice's subject", priority=3)
    # bob changes the case after alice opened it
    update_case(
        acting_user=world.bob, case=case, expected_version=case.version,
        changes=CaseChanges(subject="Bob's subject"),
    )  # fmt: skip

    response = alice_client.post(_url(case, "edit"), seen)

    assert response.status_code == 409
    page = response.content.decode()
    assert (
        "Someone else changed this case since you opened it — reload to see their changes; "
        "your edits were not saved."
    ) in page
    assert "Bob&#x27;s subject</h1>" in page
    assert 'value="Alice&#x27;s subject"' in page
    case.refresh_from_db()
    assert case.subject == "Bob's subject" and case.priority == 2


def test_an_edit_with_a_bad_value_shows_the_error_and_changes_nothing(world, case, alice_client):
    _owned(world, case)
    case.refresh_from_db()
    before = case.version

    response = alice_client.post(_url(case, "edit"), _edit(case, subject="", priority=9))

    assert response.status_code == 422
    case.refresh_from_db()
    assert case.version == before


# --- link and merge ------------------------------------------------------------------------


def test_linking_two_cases(world, make_case, alice_client):
    case, other = make_case(), make_case(subject="Outage in the area")

    response = alice_client.post(
        _url(case, "link"), {"link-other": f"#{other.number}", "link-kind": "incident_of"}
    )

    assert response.status_code == 302
    assert CaseLink.objects.filter(from_case=case, to_case=other, kind="incident_of").exists()
    page = alice_client.get(_url(case)).content.decode()
    assert f"Linked with case #{other.number}." in page


def test_linking_to_a_case_that_does_not_exist_says_so(world, case, alice_client):
    response = alice_client.post(
        _url(case, "link"), {"link-other": "999999", "link-kind": "related"}
    )

    assert response.status_code == 422
    assert "There is no case with that number." in response.content.decode()


def test_a_merge_needs_confirmation(world, make_case, alice_client):
    case, other = make_case(), make_case()

    response = alice_client.post(
        _url(case, "link"), {"link-other": other.number, "link-kind": "merge"}
    )

    assert response.status_code == 422
    assert "Merging cannot be undone. Tick the box to confirm." in response.content.decode()
    case.refresh_from_db()
    assert case.merged_into is None


def test_a_confirmed_merge_closes_this_case_and_opens_the_other(world, make_case, alice_client):
    case, other = make_case(), make_case()

    response = alice_client.post(
        _url(case, "link"),
        {"link-other": other.number, "link-kind": "merge", "link-confirm_merge": "on"},
    )

    assert response.status_code == 302 and response["Location"] == _url(other)
    case.refresh_from_db()
    assert case.merged_into == other and case.status == Case.Status.CLOSED
    assert f"Case #{case.number} was merged into this case." in alice_client.get(
        _url(other)).content.decode()  # fmt: skip


def test_transfer_pending_blocks_a_second_transfer_form(world, case, alice_client):
    _owned(world, case)
    transfer_case(acting_user=world.alice, case=case, to_user=world.bob, reason="r",
                  handoff_note="h")  # fmt: skip

    page = alice_client.get(_url(case)).content.decode()

    assert 'data-shortcut="t"' not in page
    assert "Cancel transfer" in page


def test_a_reply_is_shown_as_text_never_as_markup(world, case, alice_client):
    _owned(world, case)

    response = alice_client.post(_url(case, "reply"), {"reply-body": "<script>alert(1)</script>"})

    assert response.status_code == 302
    page = alice_client.get(_url(case)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Interaction.objects.filter(body__contains="<script>").exists()
