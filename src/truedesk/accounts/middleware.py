"""Activate the signed-in user's language and time zone for each request."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Pages render in the viewer's language and time zone, not the server's.

    The preferences are applied only for the duration of the request
    (`override`), so nothing leaks into the next request served by the same
    thread or into code that runs after it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            with timezone.override(None):
                return self._respond(request)
        try:
            zone: zoneinfo.ZoneInfo | None = zoneinfo.ZoneInfo(user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        request.LANGUAGE_CODE = user.language
        with translation.override(user.language), timezone.override(zone):
            return self._respond(request)

    def _respond(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
