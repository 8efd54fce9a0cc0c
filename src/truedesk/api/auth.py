"""API authentication: bearer tokens for integrators, the session for our own pages.

Staff and customers may use the API (customers only for their own records,
which the selectors enforce). Partner users are refused with 403 on every
operation until partner scoping exists: refusing here, at authentication,
means no endpoint can forget it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from truedesk.accounts.models import User
from truedesk.api.errors import ApiError


def user_from_bearer(request: HttpRequest) -> User | None:
    """The active user behind the request's bearer token, cached on the request."""
    if hasattr(request, "_truedesk_token_user"):
        cached: User | None = request._truedesk_token_user
        return cached
    from truedesk.accounts.tokens import authenticate_api_token

    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    user = authenticate_api_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
    request._truedesk_token_user = user  # type: ignore[attr-defined]
    return user


def _admit(user: User | None) -> User | None:
    """The user if the API serves his kind; partners are refused outright (403)."""
    if user is None or not user.is_active:
        return None
    if not (user.is_staff_member or user.is_customer):
        raise ApiError(403, "not_allowed", _("Partner accounts cannot use the API yet."), None)
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer td_…` — tokens minted with `truedesk token create`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _admit(user_from_bearer(request))
        if user is not None:
            request.user = user
        return user


class StaffOrCustomerSession(SessionAuth):
    """The signed-in browser session (CSRF-checked), so our own pages can call the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _admit(user) if isinstance(user, User) else None


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (after ninja's auth ran)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
