"""Reads of notifications, always scoped to the signed-in user."""

from __future__ import annotations

from django.db.models import QuerySet

from truedesk.accounts.models import User
from truedesk.notifications.models import Notification


def list_notifications(user: User, *, limit: int = 50) -> list[Notification]:
    """The user's newest notifications, unread and read."""
    return list(Notification.objects.filter(recipient=user)[:limit])


def count_unread_notifications(user: User) -> int:
    """How many of the user's notifications are unread (one indexed count)."""
    return unread_notifications(user).count()


def unread_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)
