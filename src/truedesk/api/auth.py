"""API authentication: bearer tokens for integrators, the session for our own pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from truedesk.accounts.models import User


def user_from_bearer(request: HttpRequest) -> User | None:
    """The active user behind the request's bearer token, cached on the request."""
    if hasattr(request, "_truedesk_token_user"):
        return request._truedesk_token_user  # type: ignore[no-any-return]
    from truedesk.accounts.tokens import authenticate_api_token

    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user = authenticate_api_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
    request._truedesk_token_user = user  # type: ignore[attr-defined]
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer td_…` — tokens minted with `truedesk token create`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_from_bearer(request)
        if user is not None:
            request.user = user
        return user


class StaffOrCustomerSession(SessionAuth):
    """The signed-in browser session (CSRF-checked), so our own pages can call the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (after ninja's auth ran)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
