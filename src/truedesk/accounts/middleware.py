"""Per-request user handling: language and time zone; the partner fence."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
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


# URL names a signed-in partner user may open outside the partner area; the API
# ("api/v1/…") decides for itself (truedesk.api.auth.PARTNER_OPERATIONS).
PARTNER_OPEN_URL_NAMES = frozenset(
    {"home", "logout", "login", "preferences", "set_language", "health"}
)
PARTNER_NAMESPACE = "partners"


class PartnerFenceMiddleware:
    """A partner user's session reaches the partner area and a few account pages only.

    Everything else (desk, portal, admin, file downloads, any page added later)
    answers 404 for him, so a page that forgets a partner check still leaks
    nothing. The partner area's own views scope every object to the customers
    who authorised the partner.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if getattr(user, "kind", None) != "partner" or not user.is_authenticated:  # type: ignore[union-attr]
            return None
        match = request.resolver_match
        if match is None:
            raise Http404
        if match.route.startswith("api/v1/") or match.namespace == PARTNER_NAMESPACE:
            return None
        if not match.namespace and match.url_name in PARTNER_OPEN_URL_NAMES:
            return None
        raise Http404
