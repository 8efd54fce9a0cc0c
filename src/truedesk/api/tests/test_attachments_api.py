"""Attachments through the API: metadata and download under the case's own rules."""

from __future__ import annotations

from truedesk.api.tests.scene import PNG
from truedesk.cases import actions
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.models import Attachment


def _download(client, path, token):
    return client.get("/api/v1" + path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_interactions_list_their_files_with_a_download_link(api, scene):
    items = api.get(f"/cases/{scene.case.number}/interactions", as_="dave").body

    files = [file for item in items for file in item["attachments"]]
    assert [f["filename"] for f in files] == ["router.png"]
    assert files[0]["download_url"] == f"/api/v1/attachments/{scene.attachment.pk}/download"
    assert files[0]["size"] == len(PNG)


def test_the_customer_downloads_his_own_file_as_an_attachment(client, scene, tokens):
    response = _download(client, f"/attachments/{scene.attachment.pk}/download", tokens["dave"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_customer_gets_404_for_metadata_and_file(client, api, scene, tokens):
    metadata = api.get(f"/attachments/{scene.attachment.pk}", as_="fiona")
    file = _download(client, f"/attachments/{scene.attachment.pk}/download", tokens["fiona"])

    assert metadata.status == 404
    assert file.status_code == 404
    assert file.json()["code"] == "not_found"


def test_a_file_on_an_internal_note_is_hidden_from_the_customer(client, api, scene, tokens):
    actions.add_internal_note(
        acting_user=scene.world.alice,
        case=scene.case,
        body="Screenshot of the line test.",
        attachments=[AttachmentUpload(name="line.png", content=PNG, content_type="image/png")],
    )
    internal = Attachment.objects.get(filename="line.png")

    staff = api.get(f"/attachments/{internal.pk}", as_="alice")
    customer = api.get(f"/attachments/{internal.pk}", as_="dave")
    file = _download(client, f"/attachments/{internal.pk}/download", tokens["dave"])

    assert staff.status == 200
    assert customer.status == 404
    assert file.status_code == 404
