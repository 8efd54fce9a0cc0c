"""Periodic job: fan out new case events and send the webhook deliveries that are due."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic


def deliver_webhooks_job() -> None:
    # Imported when the job runs, so a problem here breaks this job, not the worker.
    from truedesk.channels.webhooks.dispatch import get_dispatcher

    get_dispatcher().run_pass()


register_periodic("webhooks.deliver", timedelta(seconds=2), deliver_webhooks_job)
