"""File downloads for every kind of user: staff, and the customer whose case it is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from truedesk.cases.attachments import attachment_response
from truedesk.cases.errors import NotFound
from truedesk.cases.selectors import get_attachment_for_user


@require_GET
@login_required
def download_attachment(request: HttpRequest, pk: str) -> FileResponse:
    """The file as a download, if the user may see it; 404 otherwise (existence is not revealed).

    Staff fetch any attachment; a customer only those of his own cases that are
    not on internal notes; partners nothing yet (the selector decides).
    """
    try:
        attachment = get_attachment_for_user(request.user, pk)
    except NotFound:
        raise Http404 from None
    try:
        return attachment_response(attachment)
    except OSError:
        # The row exists but the file is gone from storage: nothing to send.
        raise Http404 from None
