"""Background work of the email channel: process stored mail, send outbound mail."""

from __future__ import annotations

from django_tasks import task

from truedesk.channels.email.actions import drain_inbound, process_inbound_message
from truedesk.channels.email.outbound import deliver_outbound, drain_outbound


@task()
def process_inbound_batch_task() -> int:
    """Process stored messages in batches until none is waiting (queued by accepting mail)."""
    return drain_inbound()


@task()
def deliver_outbound_batch_task() -> int:
    """Send queued customer email until none is due (queued with each new one)."""
    return drain_outbound()


@task()
def process_inbound_task(message_id: int) -> bool:
    """Turn one stored message into a case interaction (a no-op if already done).

    Queued per message by earlier versions; rows of it may still wait in a queue.
    """
    return process_inbound_message(message_id=message_id)


@task()
def deliver_outbound_task(outbound_id: int) -> bool:
    """Send one queued customer email (a no-op if another worker already did).

    Queued per email by earlier versions; rows of it may still wait in a queue.
    """
    return deliver_outbound(outbound_id=outbound_id)
