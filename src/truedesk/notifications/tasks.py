"""Background work of the notifications app."""

from __future__ import annotations

from django_tasks import task

from truedesk.notifications.actions import deliver_email


@task()
def deliver_email_task(delivery_id: int) -> bool:
    """Send one queued notification email (a no-op if another worker already did)."""
    return deliver_email(delivery_id=delivery_id)
