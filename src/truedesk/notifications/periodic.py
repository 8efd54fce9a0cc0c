"""Periodic jobs: send notification email whose task was lost or is due for a retry."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic


def _deliver_due_emails() -> None:
    from truedesk.notifications.actions import deliver_due_emails

    deliver_due_emails()


register_periodic("notifications.deliver_due_emails", timedelta(seconds=30), _deliver_due_emails)
