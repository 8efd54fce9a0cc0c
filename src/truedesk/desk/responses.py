"""How desk pages answer plain browsers and htmx alike."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


def status_for(request: HttpRequest, status: int) -> int:
    """Status of a page re-rendered with errors; htmx swaps only 2xx answers, so it gets 200."""
    return 200 if getattr(request, "htmx", False) else status


def broken_link() -> HttpResponse:
    """The answer to a "show older" link whose position was tampered with or cut short."""
    return HttpResponseBadRequest(
        _("This link to older entries is broken. Go back and follow it again."),
        content_type="text/plain; charset=utf-8",
    )
