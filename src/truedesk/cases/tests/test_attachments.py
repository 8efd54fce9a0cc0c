import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from truedesk.cases.actions import reply_to_case
from truedesk.cases.attachments import (
    AttachmentUpload,
    attachment_response,
    normalize_content_type,
    sanitize_filename,
)
from truedesk.cases.errors import AttachmentRejected
from truedesk.cases.models import Attachment, Interaction


def _reply_with(world, case, *uploads):
    return reply_to_case(
        acting_user=world.alice,
        case=case,
        body="See attached",
        channel="email",
        attachments=list(uploads),
    )


def test_a_file_is_stored_under_a_random_key_with_its_hash(world, case):
    data = b"hello world" * 1000
    reply = _reply_with(world, case, AttachmentUpload("../../etc/passwd", io.BytesIO(data)))
    attachment = reply.attachments.get()
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.size == len(data)
    assert attachment.filename == "passwd"
    assert len(attachment.storage_key) == 32
    assert attachment.file.name == f"attachments/{attachment.sha256[:2]}/{attachment.storage_key}"
    with attachment.file.open("rb") as stored:
        assert stored.read() == data


def test_django_uploads_are_accepted(world, case):
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    attachment = _reply_with(world, case, upload).attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.filename == "scan.pdf"


def test_files_over_the_limit_are_refused_and_nothing_is_stored(world, case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(AttachmentRejected) as error:
        _reply_with(world, case, AttachmentUpload("big.bin", b"x" * 1025))
    assert "big.bin" in error.value.message and "limit" in error.value.message
    assert error.value.code == "attachment_rejected"
    assert not Attachment.objects.exists()
    assert Interaction.objects.filter(case=case).count() == 1


def test_a_file_exactly_at_the_limit_is_fine(world, case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    assert _reply_with(world, case, AttachmentUpload("ok.bin", b"x" * 1024)).attachments.exists()


def test_too_many_files_at_once_are_refused(world, case):
    uploads = [AttachmentUpload(f"{i}.txt", b"x") for i in range(21)]
    with pytest.raises(AttachmentRejected):
        _reply_with(world, case, *uploads)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\dave\\bill.pdf", "bill.pdf"),
        ("evil\r\nX-Evil: 1.txt", "evilX-Evil: 1.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\x00", "attachment"),
        ("..", "attachment"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_file_names_are_only_safe_metadata(raw, clean):
    assert sanitize_filename(raw) == clean


def test_content_types_are_normalised():
    assert normalize_content_type("Image/PNG; charset=x") == "image/png"
    assert normalize_content_type("text/html\r\nX-Evil: 1") == "application/octet-stream"
    assert normalize_content_type("") == "application/octet-stream"


def test_downloads_are_always_attachments_that_cannot_run(world, case):
    reply = _reply_with(
        world,
        case,
        AttachmentUpload("page.html", b"<script>alert(1)</script>", "text/html"),
        AttachmentUpload("pic.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
        AttachmentUpload("photo.png", b"\x89PNG", "image/png"),
    )
    served = {}
    for attachment in reply.attachments.all():
        response = attachment_response(attachment)
        served[attachment.filename] = response
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        response.close()
    assert served["page.html"]["Content-Type"] == "application/octet-stream"
    assert served["pic.svg"]["Content-Type"] == "application/octet-stream"
    assert served["photo.png"]["Content-Type"] == "image/png"


def test_non_ascii_file_names_are_encoded_in_the_header(world, case):
    reply = _reply_with(world, case, AttachmentUpload('sąskaita "1".pdf', b"%PDF"))
    response = attachment_response(reply.attachments.get())
    assert "filename*=utf-8''s%C4%85skaita" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF"


def test_files_already_stored_are_removed_when_a_later_one_is_refused(world, case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    files_dir = settings.MEDIA_ROOT / "attachments"
    with pytest.raises(AttachmentRejected):
        _reply_with(
            world,
            case,
            AttachmentUpload("small.txt", b"ok"),
            AttachmentUpload("big.bin", b"x" * 2048),
        )
    assert not any(path.is_file() for path in files_dir.rglob("*"))
