"""Reads of logins, API tokens and the audit trail."""

from __future__ import annotations

from django.db import models

from truedesk.accounts import errors
from truedesk.accounts.models import ApiToken, AuditEvent, User


def find_user_by_username(username: str) -> User | None:
    """The login with this user name (case-insensitive), or None."""
    return User.objects.filter(username__iexact=(username or "").strip()).first()


def list_api_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))


def find_api_token(*, user: User, name: str) -> ApiToken | None:
    """The user's token with this name, or None."""
    return ApiToken.objects.select_related("user").filter(user=user, name=name.strip()).first()


def list_audit_events(*, viewer: User, target: models.Model, limit: int = 50) -> list[AuditEvent]:
    """The newest audit rows about one object, for staff; actor loaded."""
    if not viewer.is_staff_member:
        raise errors.NotAllowed()
    limit = max(1, min(limit, 500))
    return list(
        AuditEvent.objects.select_related("actor")
        .filter(object_type=target._meta.label_lower, object_id=str(target.pk))
        .order_by("-created_at", "-id")[:limit]
    )
