"""Opening a case from the portal, with files."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from truedesk.cases.models import Case, CaseEvent


def _post(client, **fields):
    data = {
        "subject": "Router keeps dropping the line",
        "description": "Since Monday the internet stops every evening at 20:00.",
        "kind": "",
    }
    data.update(fields)
    return client.post(reverse("portal:new_case"), data)


def test_the_form_asks_for_subject_description_kind_and_files_with_the_size_limit(
    dave_client, settings
):
    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

    html = dave_client.get(reverse("portal:new_case")).content.decode()

    assert 'name="subject"' in html
    assert 'name="description"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="attachments"' in html and "multiple" in html
    assert "5.0\xa0MB" in html
    for kind in ("Question", "Service request", "Complaint", "Billing dispute"):
        assert kind in html
    assert "Regulatory complaint" not in html


def test_a_customer_opens_a_case_with_a_file_and_lands_on_it(world, dave_client):
    scan = SimpleUploadedFile("router.png", b"\x89PNG fake image", content_type="image/png")

    response = _post(dave_client, kind="complaint", attachments=[scan])

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[case.number])
    assert case.customer == world.dave
    assert case.kind == "complaint"
    assert case.initiated_by == "customer"
    assert case.status == "new" and case.owner is None
    first = case.interactions.get()
    assert first.channel == "portal" and first.direction == "inbound"
    assert first.author_customer == world.dave
    assert "20:00" in first.body
    attachment = first.attachments.get()
    assert attachment.filename == "router.png"
    assert attachment.file.read() == b"\x89PNG fake image"
    assert CaseEvent.objects.get(case=case, kind="case_opened").actor == world.dave_user

    page = dave_client.get(response["Location"]).content.decode()
    assert f"Your case #{case.number} is open" in page
    assert "router.png" in page


def test_several_files_can_be_attached_at_once(dave_client):
    files = [SimpleUploadedFile(f"photo-{n}.jpg", b"jpeg" * n, "image/jpeg") for n in (1, 2, 3)]

    _post(dave_client, attachments=files)

    assert sorted(Case.objects.get().attachments.values_list("filename", flat=True)) == [
        "photo-1.jpg",
        "photo-2.jpg",
        "photo-3.jpg",
    ]


def test_without_a_kind_the_case_is_a_question(dave_client):
    _post(dave_client)

    assert Case.objects.get().kind == "question"


def test_a_too_large_file_is_refused_clearly_and_the_typed_text_is_kept(dave_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("dump.bin", b"x" * 1025)

    response = _post(dave_client, attachments=[big])

    html = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert "“dump.bin” is larger than the limit of 1.0\xa0KB." in html
    assert 'value="Router keeps dropping the line"' in html
    assert "Since Monday the internet stops every evening at 20:00." in html
    assert "choose them again" in html


def test_subject_and_description_are_required(dave_client):
    response = _post(dave_client, subject="   ", description="")

    html = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert html.count("This field is required.") == 2
    assert 'aria-invalid="true"' in html


def test_a_kind_reserved_for_staff_cannot_be_chosen(dave_client):
    response = _post(dave_client, kind="regulatory_complaint")

    assert "Select a valid choice." in response.content.decode()
    assert not Case.objects.exists()


def test_markup_in_the_subject_is_shown_as_text(dave_client):
    _post(dave_client, subject="<script>alert(1)</script> bill")

    case = Case.objects.get()
    html = dave_client.get(reverse("portal:case", args=[case.number])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; bill" in html
