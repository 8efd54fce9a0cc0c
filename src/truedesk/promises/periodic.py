"""Periodic sweeps of the promise ledger, run by `truedesk worker` (see truedesk.lib.periodic)."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic

# Reminders and breaches are at most this late; the sweep itself is a few
# indexed queries when nothing is due.
EVERY = timedelta(minutes=1)


def process_due_promises_job() -> None:
    """Remind owners, mark overdue promises missed and follow every miss up."""
    # Imported when the job runs, so a problem in the ledger breaks this job,
    # not the worker's start-up.
    from truedesk.promises.actions import process_due_promises

    process_due_promises()


register_periodic("promises.process_due_promises", EVERY, process_due_promises_job)
