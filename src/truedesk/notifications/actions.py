"""Raise staff notifications and send notification email, each exactly once per fact.

Email is at least once: a row is claimed with a lease before sending and
marked sent afterwards; a worker that dies between the two leaves the lease
to expire and the email is sent again. Nothing is ever silently dropped: after
MAX_ATTEMPTS failures the row stays as `failed` with the last error, for an
administrator to see.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truedesk.accounts.models import User
from truedesk.notifications.errors import InvalidNotification
from truedesk.notifications.models import EmailDelivery, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between tries, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def notify_staff(
    *,
    recipient: User,
    kind: str,
    title: str,
    dedupe_key: str,
    body: str = "",
    link: str = "",
) -> Notification:
    """Record a notification for a staff member once per `dedupe_key`; returns the row."""
    if not recipient.is_staff_member:
        raise InvalidNotification(_("Notifications on the desk are for staff only."))
    if link and (not link.startswith("/") or link.startswith("//")):
        raise InvalidNotification(_("A notification links only to a page inside Truedesk."))
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=_CONTROL.sub(" ", title)[:250],
                body=body,
                link=link,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        # A concurrent worker recorded the same fact first.
        return Notification.objects.get(dedupe_key=dedupe_key)


def mark_notifications_read(*, acting_user: User, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    unread = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    dedupe_key: str,
) -> EmailDelivery:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language` and queue it.

    Sending happens after the surrounding transaction commits, on the worker.
    """
    try:
        validate_email(to)
    except ValidationError:
        raise InvalidNotification(
            _("%(address)s is not an email address.") % {"address": to}
        ) from None
    existing = EmailDelivery.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    # Headers never carry line breaks, whatever a template or a name contained.
    clean_subject = " ".join(_CONTROL.sub(" ", subject).split())[:250]
    try:
        with transaction.atomic():
            delivery = EmailDelivery.objects.create(
                dedupe_key=dedupe_key,
                to_address=to,
                subject=clean_subject,
                body=body.strip() + "\n",
                language=language,
            )
    except IntegrityError:
        return EmailDelivery.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def _enqueue(delivery_id: int) -> None:
    from truedesk.notifications.tasks import deliver_email_task

    try:
        deliver_email_task.enqueue(delivery_id)
    except Exception:
        logger.exception("could not enqueue email delivery %s; the sweep will send it", delivery_id)


def _claim(delivery_id: int, now: datetime) -> bool:
    due = Q(status=EmailDelivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=EmailDelivery.Status.SENDING, lease_until__lt=now
    )
    return bool(
        EmailDelivery.objects.filter(due, pk=delivery_id).update(
            status=EmailDelivery.Status.SENDING, lease_until=now + LEASE
        )
    )


def deliver_email(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one queued email if it is due and no other worker holds it; True if sent now."""
    moment = now or timezone.now()
    if not _claim(delivery_id, moment):
        return False
    delivery = EmailDelivery.objects.get(pk=delivery_id)
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        # RFC 3834: machines must not answer this mail with auto-replies.
        headers={"Auto-Submitted": "auto-generated", "X-Truedesk-Notification": "1"},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        attempts = delivery.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        EmailDelivery.objects.filter(pk=delivery_id).update(
            status=EmailDelivery.Status.FAILED if failed else EmailDelivery.Status.PENDING,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=moment + _backoff(attempts),
            lease_until=None,
        )
        logger.warning("email %s failed (attempt %s): %s", delivery_id, attempts, exc)
        return False
    EmailDelivery.objects.filter(pk=delivery_id).update(
        status=EmailDelivery.Status.SENT,
        attempts=delivery.attempts + 1,
        sent_at=timezone.now(),
        lease_until=None,
        last_error="",
    )
    return True


def deliver_due_emails(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send every due email (new, retrying, or abandoned by a dead worker); returns the count."""
    moment = now or timezone.now()
    due = Q(status=EmailDelivery.Status.PENDING, next_attempt_at__lte=moment) | Q(
        status=EmailDelivery.Status.SENDING, lease_until__lt=moment
    )
    ids = list(
        EmailDelivery.objects.filter(due)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_email(delivery_id=pk, now=moment) for pk in ids)
