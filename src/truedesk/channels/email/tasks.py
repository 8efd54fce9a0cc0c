"""Background work of the email channel: process stored mail, send outbound mail."""

from __future__ import annotations

import logging

from django_tasks import task

from truedesk.channels.email.actions import process_inbound_message
from truedesk.channels.email.outbound import deliver_outbound

logger = logging.getLogger(__name__)


@task()
def process_inbound_task(message_id: int) -> bool:
    """Turn one stored message into a case interaction (a no-op if already done)."""
    return process_inbound_message(message_id=message_id)


@task()
def deliver_outbound_task(outbound_id: int) -> bool:
    """Send one queued customer email (a no-op if another worker already did)."""
    return deliver_outbound(outbound_id=outbound_id)


def enqueue_processing(message_id: int) -> None:
    """Best effort: the periodic sweep processes anything whose task was lost."""
    try:
        process_inbound_task.enqueue(message_id)
    except Exception:
        logger.exception(
            "could not enqueue inbound email %s; the sweep will process it", message_id
        )
