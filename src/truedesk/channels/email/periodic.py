"""Periodic jobs: the safety net under the email channel's queued tasks."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic


def _process_due_inbound() -> None:
    from truedesk.channels.email.actions import process_due_messages

    process_due_messages()


def _deliver_due_outbound() -> None:
    from truedesk.channels.email.outbound import deliver_due_outbound, sweep_unqueued_replies

    sweep_unqueued_replies()
    deliver_due_outbound()


register_periodic("email.process_due_inbound", timedelta(seconds=30), _process_due_inbound)
register_periodic("email.deliver_due_outbound", timedelta(seconds=30), _deliver_due_outbound)
