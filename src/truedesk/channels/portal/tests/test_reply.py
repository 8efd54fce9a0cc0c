"""A customer answers on his case from the portal."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truedesk.cases import actions
from truedesk.cases.models import Interaction


def _reply(client, case, **data):
    return client.post(reverse("portal:reply", args=[case.number]), data)


def test_a_reply_with_a_file_joins_the_conversation(world, dave_client, daves_case):
    photo = SimpleUploadedFile("lights.jpg", b"jpeg bytes", "image/jpeg")

    response = _reply(dave_client, daves_case, body="The red light blinks.", attachments=[photo])

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[daves_case.number])
    reply = daves_case.interactions.order_by("-id").first()
    assert reply.body == "The red light blinks."
    assert reply.channel == "portal" and reply.direction == "inbound"
    assert reply.author_customer == world.dave
    assert reply.attachments.get().filename == "lights.jpg"
    page = dave_client.get(response["Location"]).content.decode()
    assert "Your reply was added." in page
    assert "The red light blinks." in page


def test_replying_to_a_resolved_case_reopens_it(world, dave_client, daves_case):
    actions.take_case(acting_user=world.alice, case=daves_case)
    actions.change_status(acting_user=world.alice, case=daves_case, status="resolved")

    response = _reply(dave_client, daves_case, body="It broke again tonight.")

    daves_case.refresh_from_db()
    assert response.status_code == 302
    assert daves_case.status == "open"
    assert daves_case.owner == world.alice
    page = dave_client.get(response["Location"]).content.decode()
    assert "your case is open again" in page
    assert "Alice Adams is handling your case" in page


def test_an_empty_reply_is_refused_with_a_message(dave_client, daves_case):
    response = _reply(dave_client, daves_case, body="   ")

    assert response.status_code == 200
    assert "Write a message or attach a file." in response.content.decode()
    assert daves_case.interactions.count() == 1


def test_a_too_large_file_is_refused_and_the_reply_text_kept(dave_client, daves_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    response = _reply(
        dave_client,
        daves_case,
        body="Here is the full log.",
        attachments=[SimpleUploadedFile("log.txt", b"x" * 2048)],
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "“log.txt” is larger than the limit of 1.0\xa0KB." in html
    assert "Here is the full log." in html
    assert daves_case.interactions.count() == 1


def test_a_closed_case_takes_no_reply(world, dave_client, daves_case):
    actions.change_status(acting_user=world.alice, case=daves_case, status="resolved")
    actions.change_status(acting_user=world.alice, case=daves_case, status="closed")

    response = _reply(dave_client, daves_case, body="Hello?")

    assert response.status_code == 200
    assert "This case is closed" in response.content.decode()
    assert not Interaction.objects.filter(body="Hello?").exists()


def test_a_reply_needs_post(dave_client, daves_case):
    assert dave_client.get(reverse("portal:reply", args=[daves_case.number])).status_code == 405
