"""Periodic sweep of SLA clocks, run by `truedesk worker` (see truedesk.lib.periodic)."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic

# Warnings and breaches are at most this late; the sweep is a few indexed
# queries when nothing is due.
EVERY = timedelta(minutes=1)


def process_sla_clocks_job() -> None:
    """Apply missed case events, escalate breached clocks and warn owners."""
    # Imported when the job runs, so a problem in the SLA app breaks this job,
    # not the worker's start-up.
    from truedesk.sla.actions import process_sla_clocks

    process_sla_clocks()


register_periodic("sla.process_sla_clocks", EVERY, process_sla_clocks_job)
