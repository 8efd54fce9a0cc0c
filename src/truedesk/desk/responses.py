"""How desk pages answer plain browsers and htmx alike."""

from __future__ import annotations

from django.http import HttpRequest


def status_for(request: HttpRequest, status: int) -> int:
    """Status of a page re-rendered with errors; htmx swaps only 2xx answers, so it gets 200."""
    return 200 if getattr(request, "htmx", False) else status
