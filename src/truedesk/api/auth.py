"""API authentication: bearer tokens for integrators, the session for our own pages.

Staff and customers may use the API (customers only for their own records,
which the selectors enforce). Partner users reach only the operations in
PARTNER_OPERATIONS, where the selectors scope them to the customers who
authorised their partner; every other operation answers 404 for them, as if it
did not exist. Deciding here, at authentication, by (method, route) means an
endpoint added later is closed to partners until someone opens it on purpose.
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


# (method, route) pairs a partner user may call; the selectors behind them scope
# every object to the partner's authorised customers (docs/partners.md).
PARTNER_OPERATIONS = frozenset(
    {
        ("GET", "api/v1/me"),
        ("GET", "api/v1/cases"),
        ("POST", "api/v1/cases"),
        ("GET", "api/v1/cases/<number>"),
        ("GET", "api/v1/cases/<number>/interactions"),
        ("POST", "api/v1/cases/<number>/replies"),
        ("GET", "api/v1/attachments/<attachment_id>"),
        ("GET", "api/v1/attachments/<attachment_id>/download"),
        ("GET", "api/v1/customers"),
        ("GET", "api/v1/customers/<customer_id>"),
    }
)


def partner_may_call(request: HttpRequest) -> bool:
    """True when the request's operation is open to partner users."""
    match = getattr(request, "resolver_match", None)
    method = "GET" if request.method == "HEAD" else (request.method or "")
    return match is not None and (method, match.route) in PARTNER_OPERATIONS


def _admit(request: HttpRequest, user: User | None) -> User | None:
    """The user if the API serves his kind here; partners get 404 outside their operations."""
    if user is None or not user.is_active:
        return None
    if user.is_staff_member or user.is_customer:
        return user
    if user.is_partner and partner_may_call(request):
        return user
    # 404, not 403: a partner learns nothing about what exists beyond his scope.
    raise ApiError(404, "not_found", _("Not found."), None)


class BearerToken(HttpBearer):
    """`Authorization: Bearer td_…` — tokens minted with `truedesk token create`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _admit(request, user_from_bearer(request))
        if user is not None:
            request.user = user
        return user


class StaffOrCustomerSession(SessionAuth):
    """The signed-in browser session (CSRF-checked), so our own pages can call the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _admit(request, user) if isinstance(user, User) else None


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (after ninja's auth ran)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
