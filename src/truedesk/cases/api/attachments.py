"""Attachment endpoints: a file's metadata and the file, under the same authorisation."""

from __future__ import annotations

from typing import Annotated

from django.http import FileResponse, HttpRequest
from ninja import Router

from truedesk.api.auth import api_user
from truedesk.api.errors import READ_ERRORS
from truedesk.api.schemas import path_id
from truedesk.cases import selectors
from truedesk.cases.api.schemas import AttachmentOut, attachment_out
from truedesk.cases.attachments import attachment_response

attachments_router = Router(tags=["attachments"])

AttachmentId = Annotated[int, path_id("The attachment id.")]


# --- attachments -------------------------------------------------------------------------


@attachments_router.get(
    "/{attachment_id}", response={200: AttachmentOut, **READ_ERRORS}, operation_id="getAttachment"
)
def get_attachment(request: HttpRequest, attachment_id: AttachmentId) -> AttachmentOut:
    """A file's name, type, size and checksum."""
    attachment = selectors.get_attachment_for_user(api_user(request), attachment_id)
    return attachment_out(attachment, case_number=attachment.case.number)


@attachments_router.get(
    "/{attachment_id}/download",
    response={200: None, **READ_ERRORS},
    operation_id="downloadAttachment",
    url_name="attachment-download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, always as a download.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(request: HttpRequest, attachment_id: AttachmentId) -> FileResponse:
    """The file itself, under the same rules as its metadata."""
    attachment = selectors.get_attachment_for_user(api_user(request), attachment_id)
    return attachment_response(attachment)
