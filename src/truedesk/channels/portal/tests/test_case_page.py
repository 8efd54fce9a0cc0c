"""The customer's view of one case: owner, status and only the public conversation."""

from __future__ import annotations

from django.urls import reverse

from truedesk.cases import actions
from truedesk.cases.attachments import AttachmentUpload


def _page(client, case) -> str:
    response = client.get(reverse("portal:case", args=[case.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_untaken_case_says_it_waits_for_the_next_agent(dave_client, daves_case):
    html = _page(dave_client, daves_case)

    assert daves_case.subject in html
    assert f"Case #{daves_case.number}" in html
    assert "Waiting for the next available agent" in html
    assert "Received" in html
    assert "Since Monday the internet stops every evening." in html


def test_the_owner_is_named_as_the_one_accountable_person(world, dave_client, daves_case):
    actions.take_case(acting_user=world.alice, case=daves_case)

    html = _page(dave_client, daves_case)

    assert "Alice Adams is handling your case" in html
    assert "Alice Adams is the one person accountable for your case" in html
    assert "Alice Adams is now responsible for your case" in html
    assert "In progress" in html


def test_agents_public_replies_and_their_files_are_shown_with_download_links(
    world, dave_client, daves_case
):
    actions.take_case(acting_user=world.alice, case=daves_case)
    reply = actions.reply_to_case(
        acting_user=world.alice,
        case=daves_case,
        body="Please restart the router and tell me the light colours.",
        channel="email",
        attachments=[AttachmentUpload("restart-guide.pdf", b"%PDF guide", "application/pdf")],
    )

    html = _page(dave_client, daves_case)

    guide = reply.attachments.get()
    assert "Please restart the router and tell me the light colours." in html
    assert "restart-guide.pdf" in html
    assert reverse("cases:attachment", args=[guide.pk]) in html
    own = daves_case.attachments.get(filename="router-lights.txt")
    assert reverse("cases:attachment", args=[own.pk]) in html


def test_internal_notes_and_their_files_are_never_shown(world, dave_client, daves_case):
    note = actions.add_internal_note(
        acting_user=world.alice,
        case=daves_case,
        body="Customer sounds angry, check his 2019 refund first.",
        attachments=[AttachmentUpload("internal-risk-memo.txt", b"secret", "text/plain")],
    )

    html = _page(dave_client, daves_case)

    assert "Customer sounds angry" not in html
    assert "internal-risk-memo.txt" not in html
    memo = note.attachments.get()
    assert reverse("cases:attachment", args=[memo.pk]) not in html
    download = dave_client.get(reverse("cases:attachment", args=[memo.pk]))
    assert download.status_code == 404


def test_internal_events_never_show(world, dave_client, daves_case):
    actions.take_case(acting_user=world.alice, case=daves_case)
    actions.set_tags(acting_user=world.alice, case=daves_case, tags=["angry-customer"])
    actions.transfer_case(
        acting_user=world.alice,
        case=daves_case,
        to_user=world.bob,
        reason="Bob knows this router model",
        handoff_note="He already restarted twice; the line drops at 20:00.",
    )

    html = _page(dave_client, daves_case)

    assert "angry-customer" not in html
    assert "Bob knows this router model" not in html
    assert "He already restarted twice" not in html
    assert "Bob Brown" not in html
    assert "Alice Adams is handling your case" in html


def test_an_accepted_transfer_names_the_new_owner(world, dave_client, daves_case):
    actions.take_case(acting_user=world.alice, case=daves_case)
    transfer = actions.transfer_case(
        acting_user=world.alice,
        case=daves_case,
        to_user=world.bob,
        reason="Bob knows this router model",
        handoff_note="Line drops at 20:00.",
    )
    actions.accept_transfer(acting_user=world.bob, transfer=transfer)

    html = _page(dave_client, daves_case)

    assert "Bob Brown is handling your case" in html
    assert "Bob Brown is now responsible for your case" in html
    assert "Bob knows this router model" not in html


def test_a_closed_case_offers_a_new_case_instead_of_a_reply_form(world, dave_client, daves_case):
    actions.change_status(acting_user=world.alice, case=daves_case, status="resolved")
    actions.change_status(acting_user=world.alice, case=daves_case, status="closed")

    html = _page(dave_client, daves_case)

    assert "This case is closed" in html
    assert reverse("portal:reply", args=[daves_case.number]) not in html
    assert reverse("portal:new_case") in html


def test_a_merged_case_points_to_the_case_where_the_conversation_continues(
    world, dave_client, daves_case, open_portal_case
):
    survivor = open_portal_case(subject="Same router problem again")
    actions.merge_cases(acting_user=world.alice, source=daves_case, target=survivor)

    html = _page(dave_client, daves_case)
    survivor_html = _page(dave_client, survivor)

    assert f"Merged into case #{survivor.number}" in html
    assert reverse("portal:case", args=[survivor.number]) in html
    assert "Since Monday the internet stops every evening." in survivor_html
    assert f"from case #{daves_case.number}" in survivor_html


def test_markup_in_a_message_is_shown_as_text(world, dave_client, daves_case):
    actions.reply_to_case(
        acting_user=world.alice,
        case=daves_case,
        body='<img src=x onerror="alert(1)"> look',
        channel="email",
    )

    html = _page(dave_client, daves_case)

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; look" in html
