"""/files/<id>/: downloads for staff and for the case's own customer, 404 for everyone else."""

from __future__ import annotations

import pytest
from django.test import Client

from truedesk.cases.actions import add_internal_note, reply_to_case, take_case
from truedesk.cases.attachments import AttachmentUpload


@pytest.fixture
def public_file(world, case):
    take_case(acting_user=world.alice, case=case)
    reply = reply_to_case(
        acting_user=world.alice, case=case, body="Your invoice", channel="email",
        attachments=[AttachmentUpload(name="invoice.html", content=b"<script>alert(1)</script>",
                                      content_type="text/html")],
    )  # fmt: skip
    return reply.attachments.get()


@pytest.fixture
def internal_file(world, case):
    note = add_internal_note(
        acting_user=world.alice, case=case, body="Line trace",
        attachments=[AttachmentUpload(name="trace.txt", content=b"internal trace")],
    )  # fmt: skip
    return note.attachments.get()


def _download(client, attachment):
    return client.get(f"/files/{attachment.pk}/")


def test_staff_download_any_attachment_as_a_sandboxed_download(world, public_file, client_for):
    response = _download(client_for(world.bob), public_file)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="invoice.html"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Type"] == "application/octet-stream"


def test_staff_download_internal_attachments_too(world, internal_file, alice_client):
    response = _download(alice_client, internal_file)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"internal trace"


def test_the_customer_downloads_a_public_attachment_of_his_own_case(world, public_file, client_for):
    response = _download(client_for(world.dave_user), public_file)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_another_customer_gets_404_for_daves_attachment(world, public_file, client_for):
    assert _download(client_for(world.fiona_user), public_file).status_code == 404


def test_the_customer_gets_404_for_an_internal_notes_attachment(world, internal_file, client_for):
    assert _download(client_for(world.dave_user), internal_file).status_code == 404


def test_a_partner_gets_404(world, public_file, client_for):
    assert _download(client_for(world.erin), public_file).status_code == 404


def test_a_visitor_must_sign_in_first(world, public_file):
    response = _download(Client(), public_file)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_or_absurd_id_is_a_404(world, alice_client):
    assert alice_client.get("/files/4242/").status_code == 404
    assert alice_client.get("/files/99999999999999999999999/").status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_an_error(world, public_file, alice_client):
    public_file.file.delete(save=False)

    assert _download(alice_client, public_file).status_code == 404


def test_downloads_answer_only_get(world, public_file, alice_client):
    assert alice_client.post(f"/files/{public_file.pk}/").status_code == 405
